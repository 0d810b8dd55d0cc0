#include "common/json.h"

#include <catch2/catch.hpp>

#include "common/error.h"
#include "common/http.h"

using common::AppError;
using common::ErrorCode;
namespace json = common::json;

namespace {
// An object whose nesting depth (the object counting as 1) is `depth`.
std::string nested(int depth) {
  return "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
}

ErrorCode parse_error(const std::string& body) {
  try {
    json::parse_object(body);
  } catch (const AppError& e) {
    return e.code();
  }
  FAIL("parsed without error: " << body);
  return ErrorCode::kInternal;
}
}  // namespace

TEST_CASE("request bodies must be JSON objects", "[unit][json]") {
  for (const char* bad : {"", "not json", "[1,2]", "\"str\"", "42", "{\"a\":1", "{\"a\":1}x",
                          "{'a':1}", "{\"a\":NaN}"}) {
    INFO(bad);
    CHECK(parse_error(bad) == ErrorCode::kInvalidJson);
  }
  CHECK(json::parse_object("{\"a\": [1, {\"b\": null}]}")["a"][1].isMember("b"));
}

TEST_CASE("request bodies may nest 32 levels but not 33", "[unit][json]") {
  CHECK_NOTHROW(json::parse_object(nested(32)));
  CHECK(parse_error(nested(33)) == ErrorCode::kInvalidJson);
  CHECK(parse_error(nested(5000)) == ErrorCode::kInvalidJson);
}

TEST_CASE("integer fields reject strings, floats, booleans and out-of-range values",
          "[unit][json]") {
  const Json::Value body = json::parse_object(
      R"({"ok": 5, "str": "5", "flt": 5.0, "frac": 5.5, "bool": true, "big": 100, "neg": -1})");
  common::FieldErrors errors;
  CHECK(json::get_int(body, "ok", 1, 99, errors) == 5);
  CHECK_FALSE(json::get_int(body, "missing", 1, 99, errors).has_value());
  CHECK(errors.empty());
  for (const char* field : {"str", "flt", "frac", "bool", "big", "neg"}) {
    common::FieldErrors e;
    INFO(field);
    CHECK_FALSE(json::get_int(body, field, 0, 99, e).has_value());
    CHECK_FALSE(e.empty());
  }
}

TEST_CASE("string fields are length-checked in characters, not bytes", "[unit][json]") {
  const Json::Value body = json::parse_object(R"({"s": "\u00e9\u00e9", "n": 3})");
  common::FieldErrors errors;
  CHECK(json::get_string(body, "s", 2, 2, errors) == "\xC3\xA9\xC3\xA9");
  CHECK_FALSE(json::get_string(body, "n", 1, 5, errors).has_value());
  CHECK_FALSE(errors.empty());
}

TEST_CASE("utf8_length rejects malformed sequences", "[unit][json]") {
  CHECK(json::utf8_length("abc") == 3);
  CHECK(json::utf8_length("\xE2\x82\xAC") == 1);
  CHECK(json::utf8_length("\xF0\x9F\x98\x80") == 1);
  for (const char* bad : {"\xFF", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xE2\x82"}) {
    CHECK_FALSE(json::utf8_length(bad).has_value());
  }
}

TEST_CASE("json_body insists on the application/json content type", "[unit][json]") {
  common::Request req;
  req.body = "{}";
  CHECK_THROWS_AS(common::json_body(req), AppError);
  req.headers["content-type"] = "text/plain";
  CHECK_THROWS_AS(common::json_body(req), AppError);
  req.headers["content-type"] = "application/json; charset=utf-8";
  CHECK(common::json_body(req).isObject());
}

TEST_CASE("json::write is compact UTF-8", "[unit][json]") {
  Json::Value v(Json::objectValue);
  v["name"] = "caf\xC3\xA9";
  v["n"] = static_cast<Json::Int64>(9007199254740993LL);
  CHECK(json::write(v) == "{\"n\":9007199254740993,\"name\":\"caf\xC3\xA9\"}");
}

TEST_CASE("a body that repeats a member name is invalid JSON at any depth", "[unit][json]") {
  for (const char* bad : {R"({"quantity": 1, "quantity": 99})",
                          R"({"a": {"b": 1, "c": 2, "b": 3}})", R"({"a": [{"x": 1, "x": 1}]})"}) {
    INFO(bad);
    CHECK(parse_error(bad) == ErrorCode::kInvalidJson);
  }
  CHECK_NOTHROW(json::parse_object(R"({"a": {"x": 1}, "b": {"x": 1}})"));
}

TEST_CASE("a NUL in any string of a body is a validation error naming where it is",
          "[unit][json]") {
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c : std::initializer_list<Case>{
           {R"({"title": "a\u0000b"})", "title"},
           {R"({"ok": "x", "sku": "\u0000"})", "sku"},
           {R"({"attributes": {"color": "si\u0000lver"}})", "attributes.color"},
           {R"({"attributes": {"co\u0000lor": "silver"}})", "attributes"},
           {R"({"items": [{"sku": "a"}, {"sku": "b\u0000"}]})", "items[1].sku"}}) {
    INFO(c.body);
    try {
      json::parse_object(c.body);
      FAIL("parsed without error");
    } catch (const AppError& e) {
      CHECK(e.code() == ErrorCode::kValidationError);
      CHECK(e.details().isMember(c.field));
    }
  }
  CHECK_NOTHROW(json::parse_object(R"({"title": "a\u0001b", "n": 0})"));
}

TEST_CASE("string fields refuse a NUL even when the value was built by hand", "[unit][json]") {
  Json::Value body(Json::objectValue);
  body["title"] = Json::Value(std::string("a\0b", 3));
  common::FieldErrors errors;
  CHECK_FALSE(json::get_string(body, "title", 0, 100, errors).has_value());
  CHECK_FALSE(errors.empty());
}
