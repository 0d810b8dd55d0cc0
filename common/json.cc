#include "common/json.h"

#include <json/reader.h>
#include <json/writer.h>

#include <memory>

namespace common::json {

namespace {

const Json::StreamWriterBuilder& writer_builder() {
  static const Json::StreamWriterBuilder builder = [] {
    Json::StreamWriterBuilder b;
    b["indentation"] = "";
    b["emitUTF8"] = true;
    return b;
  }();
  return builder;
}

// strictMode also rejects an object that repeats a name, at any depth: a body
// must mean one thing to us and to anything in front of us.
std::unique_ptr<Json::CharReader> strict_reader(int depth) {
  Json::CharReaderBuilder b;
  Json::CharReaderBuilder::strictMode(&b.settings_);
  b["stackLimit"] = depth;
  b["rejectDupKeys"] = true;
  return std::unique_ptr<Json::CharReader>(b.newCharReader());
}

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

std::string member_path(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "." + name;
}

// Depth of nesting, counting the root container as 1.
int depth_of(const Json::Value& v) {
  if (!v.isArray() && !v.isObject()) return 0;
  int deepest = 0;
  for (const auto& child : v) deepest = std::max(deepest, depth_of(child));
  return deepest + 1;
}

}  // namespace

std::optional<std::string> find_nul(const Json::Value& value, const std::string& path) {
  if (value.isString()) {
    const char* begin = nullptr;
    const char* end = nullptr;
    value.getString(&begin, &end);
    if (has_nul(std::string_view(begin, static_cast<size_t>(end - begin)))) {
      return path.empty() ? std::string("body") : path;
    }
    return std::nullopt;
  }
  if (value.isArray()) {
    for (Json::ArrayIndex i = 0; i < value.size(); ++i) {
      if (auto found = find_nul(value[i], path + "[" + std::to_string(i) + "]")) return found;
    }
    return std::nullopt;
  }
  if (value.isObject()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      const std::string name = it.name();
      // A name with a NUL cannot be shown as a field: the object holding it is named.
      if (has_nul(name)) return path.empty() ? std::string("body") : path;
      if (auto found = find_nul(*it, member_path(path, name))) return found;
    }
  }
  return std::nullopt;
}

std::string write(const Json::Value& value) { return Json::writeString(writer_builder(), value); }

Json::Value parse_object(std::string_view body) {
  Json::Value root;
  std::string errors;
  // jsoncpp's stackLimit bounds recursion; the exact API limit is checked after.
  auto reader = strict_reader(kMaxDepth + 8);
  bool ok = false;
  try {
    ok = reader->parse(body.data(), body.data() + body.size(), &root, &errors);
  } catch (const Json::Exception&) {
    ok = false;  // jsoncpp throws when stackLimit is exceeded
  }
  if (!ok) throw AppError(ErrorCode::kInvalidJson, "request body is not valid JSON");
  if (!root.isObject())
    throw AppError(ErrorCode::kInvalidJson, "request body must be a JSON object");
  if (depth_of(root) > kMaxDepth) {
    throw AppError(ErrorCode::kInvalidJson, "request body is nested too deeply");
  }
  if (!utf8_length(body)) throw AppError(ErrorCode::kInvalidJson, "request body is not UTF-8");
  // Valid JSON may spell NUL as \u0000; PostgreSQL text and jsonb cannot hold it
  // (text would be cut short, jsonb refuses it), so no body may carry one.
  if (auto field = find_nul(root)) {
    FieldErrors errors;
    errors.add(*field, kNulProblem);
    errors.throw_if_any();
  }
  return root;
}

Json::Value parse_trusted(std::string_view text) {
  Json::Value root;
  std::string errors;
  auto reader = strict_reader(1000);
  if (!reader->parse(text.data(), text.data() + text.size(), &root, &errors)) {
    throw AppError(ErrorCode::kInternal, "internal error", Json::Value(),
                   "stored JSON did not parse: " + errors);
  }
  return root;
}

std::optional<size_t> utf8_length(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + len > s.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMinForLen[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLen[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return std::nullopt;
    }
    i += len;
    ++count;
  }
  return count;
}

std::optional<int64_t> get_int(const Json::Value& obj, const char* field, int64_t min, int64_t max,
                               FieldErrors& errors) {
  const Json::Value& v = obj[field];
  if (v.isNull()) return std::nullopt;
  const std::string range =
      "must be an integer between " + std::to_string(min) + " and " + std::to_string(max);
  // jsoncpp: isInt64 is true for integral doubles too, so check the stored type.
  if (!(v.type() == Json::intValue || v.type() == Json::uintValue) || !v.isInt64()) {
    errors.add(field, range);
    return std::nullopt;
  }
  const int64_t value = v.asInt64();
  if (value < min || value > max) {
    errors.add(field, range);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> get_string(const Json::Value& obj, const char* field, size_t min_len,
                                      size_t max_len, FieldErrors& errors) {
  const Json::Value& v = obj[field];
  if (v.isNull()) return std::nullopt;
  const std::string expect = "must be a string of " + std::to_string(min_len) + " to " +
                             std::to_string(max_len) + " characters";
  if (!v.isString()) {
    errors.add(field, expect);
    return std::nullopt;
  }
  std::string s = v.asString();
  if (has_nul(s)) {
    errors.add(field, kNulProblem);
    return std::nullopt;
  }
  auto len = utf8_length(s);
  if (!len) {
    errors.add(field, "must be valid UTF-8");
    return std::nullopt;
  }
  if (*len < min_len || *len > max_len) {
    errors.add(field, expect);
    return std::nullopt;
  }
  return s;
}

std::optional<bool> get_bool(const Json::Value& obj, const char* field, FieldErrors& errors) {
  const Json::Value& v = obj[field];
  if (v.isNull()) return std::nullopt;
  if (!v.isBool()) {
    errors.add(field, "must be true or false");
    return std::nullopt;
  }
  return v.asBool();
}

Json::Value or_null(const std::optional<int64_t>& value) {
  return value ? Json::Value(static_cast<Json::Int64>(*value)) : Json::Value();
}

Json::Value or_null(const std::optional<std::string>& value) {
  return value ? Json::Value(*value) : Json::Value();
}

}  // namespace common::json
