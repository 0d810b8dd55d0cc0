#include "common/json_text.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>
#include <vector>

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

// Renders trusted JSON text as json::write does, without a Json::Value tree,
// for the values whose rendering is certain: strings whose escapes are short
// ones or \u00xx below 0x80, integers that fit int64 (jsoncpp keeps those
// exact), true, false, null, arrays, and objects (members sorted bytewise, as
// jsoncpp's map orders them). Anything else (a fraction or exponent, which
// jsoncpp turns into a double; a larger integer; another \u escape; a
// repeated name; nesting deeper than parse_trusted allows) makes it give up,
// and the caller asks jsoncpp.
class Canonicalizer {
 public:
  explicit Canonicalizer(std::string_view text) : text_(text) {}

  std::optional<std::string> run() {
    std::string out;
    out.reserve(text_.size());
    // parse_trusted's strict mode takes only an object or an array at the top.
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '{' && text_[pos_] != '[')) return std::nullopt;
    if (!value(out, 0)) return std::nullopt;
    skip_space();
    if (pos_ != text_.size()) return std::nullopt;
    return out;
  }

 private:
  static constexpr int kMaxDepth = 1000;  // parse_trusted's stack limit

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool literal(std::string& out, std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    out += word;
    return true;
  }

  bool value(std::string& out, int depth) {
    if (depth > kMaxDepth) return false;
    skip_space();
    if (pos_ >= text_.size()) return false;
    switch (text_[pos_]) {
      case '{':
        return object(out, depth);
      case '[':
        return array(out, depth);
      case '"': {
        std::string s;
        if (!string(s)) return false;
        append_quoted(out, s);
        return true;
      }
      case 't':
        return literal(out, "true");
      case 'f':
        return literal(out, "false");
      case 'n':
        return literal(out, "null");
      default:
        return integer(out);
    }
  }

  bool integer(std::string& out) {
    const char* begin = text_.data() + pos_;
    const char* end = text_.data() + text_.size();
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(begin, end, v);
    if (ec != std::errc() || ptr == begin) return false;
    if (ptr < end && (*ptr == '.' || *ptr == 'e' || *ptr == 'E')) return false;
    // Leading zeros or a '+' are not JSON; from_chars takes neither sign '+' nor
    // rejects "01", so refuse a zero followed by a digit.
    const char* digits = *begin == '-' ? begin + 1 : begin;
    if (*digits == '0' && ptr - digits > 1) return false;
    pos_ += static_cast<size_t>(ptr - begin);
    char buf[24];
    const char* stop = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, static_cast<size_t>(stop - buf));
    return true;
  }

  // The decoded bytes of the string at pos_ (its opening quote).
  bool string(std::string& s) {
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        s += c;
        continue;
      }
      if (pos_ >= text_.size()) return false;
      switch (text_[pos_++]) {
        case '"':
          s += '"';
          break;
        case '\\':
          s += '\\';
          break;
        case '/':
          s += '/';
          break;
        case 'b':
          s += '\b';
          break;
        case 'f':
          s += '\f';
          break;
        case 'n':
          s += '\n';
          break;
        case 'r':
          s += '\r';
          break;
        case 't':
          s += '\t';
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return false;
          unsigned code = 0;
          const auto [ptr, ec] =
              std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
          if (ec != std::errc() || ptr != text_.data() + pos_ + 4 || code >= 0x80) return false;
          s += static_cast<char>(code);
          pos_ += 4;
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  bool array(std::string& out, int depth) {
    ++pos_;
    out += '[';
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      out += ']';
      return true;
    }
    while (true) {
      if (!value(out, depth + 1)) return false;
      skip_space();
      if (pos_ >= text_.size()) return false;
      const char c = text_[pos_++];
      if (c == ']') break;
      if (c != ',') return false;
      out += ',';
    }
    out += ']';
    return true;
  }

  bool object(std::string& out, int depth) {
    ++pos_;
    std::vector<std::pair<std::string, std::string>> members;  // name, rendered value
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
    } else {
      while (true) {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '"') return false;
        auto& member = members.emplace_back();
        if (!string(member.first)) return false;
        skip_space();
        if (pos_ >= text_.size() || text_[pos_++] != ':') return false;
        if (!value(member.second, depth + 1)) return false;
        skip_space();
        if (pos_ >= text_.size()) return false;
        const char c = text_[pos_++];
        if (c == '}') break;
        if (c != ',') return false;
      }
    }
    // std::string orders bytes as unsigned, as jsoncpp's memcmp does.
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 1; i < members.size(); ++i) {
      if (members[i].first == members[i - 1].first) return false;
    }
    out += '{';
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out += ',';
      append_quoted(out, members[i].first);
      out += ':';
      out += members[i].second;
    }
    out += '}';
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

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

std::string canonical_json(std::string_view text) {
  if (auto out = Canonicalizer(text).run()) return std::move(*out);
  return write(parse_trusted(text));
}

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
