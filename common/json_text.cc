#include "common/json_text.h"

#include <charconv>

#include "common/json.h"

namespace common::json {

namespace {

// A byte jsoncpp escapes: the quote, the backslash, and the control characters.
bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(escaped, sizeof escaped);
    }
  }
}

}  // namespace

void append_quoted(std::string& out, std::string_view value) {
  out += '"';
  size_t plain_from = 0;  // runs of bytes that need no escape are appended at once
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (!needs_escape(c)) continue;
    out.append(value.data() + plain_from, i - plain_from);
    append_escape(out, c);
    plain_from = i + 1;
  }
  out.append(value.data() + plain_from, value.size() - plain_from);
  out += '"';
}

std::string canonical_json(std::string_view text) { return write(parse_trusted(text)); }

void TextWriter::before_value() {
  if (need_comma_) out_ += ',';
  need_comma_ = true;
}

TextWriter& TextWriter::begin_object() {
  before_value();
  out_ += '{';
  need_comma_ = false;
  return *this;
}

TextWriter& TextWriter::end_object() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}

TextWriter& TextWriter::begin_array() {
  before_value();
  out_ += '[';
  need_comma_ = false;
  return *this;
}

TextWriter& TextWriter::end_array() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}

TextWriter& TextWriter::key(std::string_view name) {
  before_value();
  append_quoted(out_, name);
  out_ += ':';
  need_comma_ = false;
  return *this;
}

TextWriter& TextWriter::string(std::string_view value) {
  before_value();
  append_quoted(out_, value);
  return *this;
}

TextWriter& TextWriter::int64(int64_t value) {
  before_value();
  char buf[24];
  const char* end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  out_.append(buf, static_cast<size_t>(end - buf));
  return *this;
}

TextWriter& TextWriter::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
  return *this;
}

TextWriter& TextWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

TextWriter& TextWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

}  // namespace common::json
