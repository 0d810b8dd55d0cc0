// JSON helpers over jsoncpp: strict parsing of request bodies (API.md input
// rules) and compact rendering.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace common::json {

inline constexpr int kMaxDepth = 32;

// Compact, UTF-8, no trailing newline.
std::string write(const Json::Value& value);

// What a field holding a NUL character is told.
inline constexpr const char* kNulProblem = "must not contain NUL characters";

// Parses a request body that must be a JSON object nested at most kMaxDepth,
// valid UTF-8, with no name repeated in any object. Throws AppError(kInvalidJson)
// otherwise. A body that parses but holds a NUL character (\u0000) in any string
// or member name throws AppError(kValidationError) naming where (find_nul).
Json::Value parse_object(std::string_view body);

// The path of the first string under `value` holding a NUL character, or
// nullopt: "title", "attributes.color", "items[2].sku"; a member name with a
// NUL yields the path of its object ("body" at the top). `path` is the path of
// `value` itself ("" for the body).
std::optional<std::string> find_nul(const Json::Value& value, const std::string& path = "");

// Parses trusted JSON (jsonb text from PostgreSQL). Throws AppError(kInternal) on failure.
Json::Value parse_trusted(std::string_view text);

// Field readers for request bodies. Each returns nullopt when the field is
// absent (or null), records a problem in `errors` and returns nullopt when it
// is present but of the wrong type or out of range.
std::optional<int64_t> get_int(const Json::Value& obj, const char* field, int64_t min, int64_t max,
                               FieldErrors& errors);
// Length in UTF-8 code points; strings that are not valid UTF-8 or that hold a
// NUL character are rejected.
std::optional<std::string> get_string(const Json::Value& obj, const char* field, size_t min_len,
                                      size_t max_len, FieldErrors& errors);
std::optional<bool> get_bool(const Json::Value& obj, const char* field, FieldErrors& errors);

// The value, or JSON null for nullopt (how every optional column is rendered).
Json::Value or_null(const std::optional<int64_t>& value);
Json::Value or_null(const std::optional<std::string>& value);

// Number of code points, or nullopt when `s` is not valid UTF-8.
std::optional<size_t> utf8_length(std::string_view s);

}  // namespace common::json
