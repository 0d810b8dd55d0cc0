#include "common/json_text.h"

#include <json/value.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"

namespace json = common::json;

namespace {

// Strings that exercise every escaping rule: the short escapes, the other
// control characters, NUL, DEL, UTF-8 of every length, bytes that are not
// UTF-8, and runs of plain bytes around escapes.
std::vector<std::string> tricky_strings() {
  std::vector<std::string> out = {"",
                                  "plain",
                                  "say \"hi\"",
                                  "back\\slash",
                                  "a/b",
                                  "tab\there\nnew\rline\bback\fform",
                                  std::string("nul\0in", 6),
                                  std::string(1, '\0'),
                                  "\x7f del",
                                  "caf\xc3\xa9",
                                  "\xe2\x82\xac 5",
                                  "\xf0\x9f\x98\x80 emoji",
                                  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
                                  "\xff\xfe not utf-8 \xc3",
                                  "\xed\xa0\x80 surrogate",
                                  "\"\\\"\\",
                                  "end\\"};
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  out.push_back(controls);
  for (int c = 0; c < 0x20; ++c) {
    std::string between = "x";
    between.push_back(static_cast<char>(c));
    between += 'y';
    out.push_back(between);
  }
  return out;
}

std::string written(const std::function<void(json::TextWriter&)>& fill) {
  std::string out;
  json::TextWriter w(out);
  fill(w);
  return out;
}

}  // namespace

TEST_CASE("a string is written byte for byte as jsoncpp writes it", "[unit][json]") {
  for (const auto& s : tricky_strings()) {
    INFO("string of " << s.size() << " bytes");
    CHECK(written([&](json::TextWriter& w) { w.string(s); }) == json::write(Json::Value(s)));
  }
}

TEST_CASE("a member name is escaped as jsoncpp escapes it", "[unit][json]") {
  for (const auto& s : tricky_strings()) {
    Json::Value obj(Json::objectValue);
    obj[s] = 1;
    CHECK(written([&](json::TextWriter& w) { w.begin_object().key(s).int64(1).end_object(); }) ==
          json::write(obj));
  }
}

TEST_CASE("integers, booleans and null are written as jsoncpp writes them", "[unit][json]") {
  const std::vector<int64_t> ints = {0,
                                     1,
                                     -1,
                                     9,
                                     10,
                                     1999,
                                     -129999,
                                     int64_t{1} << 53,
                                     (int64_t{1} << 53) + 1,
                                     std::numeric_limits<int32_t>::max(),
                                     int64_t{std::numeric_limits<int32_t>::max()} + 1,
                                     std::numeric_limits<int64_t>::max(),
                                     std::numeric_limits<int64_t>::min()};
  for (const int64_t v : ints) {
    INFO(v);
    CHECK(written([&](json::TextWriter& w) { w.int64(v); }) ==
          json::write(Json::Value(static_cast<Json::Int64>(v))));
  }
  CHECK(written([](json::TextWriter& w) { w.boolean(true); }) == json::write(Json::Value(true)));
  CHECK(written([](json::TextWriter& w) { w.boolean(false); }) == json::write(Json::Value(false)));
  CHECK(written([](json::TextWriter& w) { w.null(); }) == json::write(Json::Value()));
}

TEST_CASE("empty and nested containers are written as jsoncpp writes them", "[unit][json]") {
  CHECK(written([](json::TextWriter& w) { w.begin_object().end_object(); }) ==
        json::write(Json::Value(Json::objectValue)));
  CHECK(written([](json::TextWriter& w) { w.begin_array().end_array(); }) ==
        json::write(Json::Value(Json::arrayValue)));

  // {"a":[],"b":{},"c":[1,[true,null],{"d":"x","e":[{}]}],"f":{"g":{"h":-5}}}
  Json::Value tree(Json::objectValue);
  tree["a"] = Json::Value(Json::arrayValue);
  tree["b"] = Json::Value(Json::objectValue);
  Json::Value& c = tree["c"] = Json::Value(Json::arrayValue);
  c.append(1);
  Json::Value inner(Json::arrayValue);
  inner.append(true);
  inner.append(Json::Value());
  c.append(inner);
  Json::Value obj(Json::objectValue);
  obj["d"] = "x";
  obj["e"] = Json::Value(Json::arrayValue);
  obj["e"].append(Json::Value(Json::objectValue));
  c.append(obj);
  tree["f"]["g"]["h"] = -5;

  const std::string text = written([](json::TextWriter& w) {
    w.begin_object();
    w.key("a").begin_array().end_array();
    w.key("b").begin_object().end_object();
    w.key("c").begin_array().int64(1);
    w.begin_array().boolean(true).null().end_array();
    w.begin_object().key("d").string("x").key("e").begin_array();
    w.begin_object().end_object().end_array().end_object();
    w.end_array();
    w.key("f").begin_object().key("g").begin_object().key("h").int64(-5);
    w.end_object().end_object();
    w.end_object();
  });
  CHECK(text == json::write(tree));
}

TEST_CASE("raw JSON is placed as a value with the commas around it", "[unit][json]") {
  Json::Value tree(Json::arrayValue);
  tree.append(1);
  tree.append(json::parse_trusted(R"({"k": [1, 2]})"));
  tree.append("s");
  CHECK(written([](json::TextWriter& w) {
          w.begin_array().int64(1).raw(R"({"k":[1,2]})").string("s").end_array();
        }) == json::write(tree));
}

TEST_CASE("the writer appends after what the string already holds", "[unit][json]") {
  std::string out = "prefix:";
  json::TextWriter w(out);
  w.begin_object().key("a").int64(1).end_object();
  CHECK(out == R"(prefix:{"a":1})");
}

TEST_CASE("canonical JSON is jsonb text rendered as json::write renders it", "[unit][json]") {
  const std::vector<std::string> jsonb = {
      "{}", "[]", R"({"color": "silver", "storage_gb": 512})",
      // jsonb orders shorter names first; jsoncpp orders bytewise.
      R"({"b": 1, "aa": 2, "ccc": {"z": [1, "two", null, true], "y": {}}})",
      R"({"price": 1.5, "ratio": 0.1, "big": 12345678901234567890, "neg": -0.0, "exp": 1e21})",
      R"({"q": "say \"hi\"", "u": "caf\u00e9 \ud83d\ude00", "c": "\u0001\t"})",
      R"([{"a": 1}, [2, [3]], "x"])"};
  for (const auto& text : jsonb) {
    INFO(text);
    CHECK(json::canonical_json(text) == json::write(json::parse_trusted(text)));
  }
  CHECK(json::canonical_json(R"({"b": 1, "a": 2})") == R"({"a":2,"b":1})");
  CHECK_THROWS_AS(json::canonical_json(R"({"a": 1, "a": 2})"), common::AppError);
  CHECK_THROWS_AS(json::canonical_json("{not json"), common::AppError);
}

TEST_CASE("canonical JSON agrees with jsoncpp on names, numbers and escapes", "[unit][json]") {
  const std::vector<std::string> texts = {
      // Names: prefixes, case, bytes above 0x7f, escapes in names.
      R"({"ab": 1, "a": 2, "B": 3, "b": 4, "\u00e9": 5, "\u0041": 6, "caf\u00e9": 7})",
      "{\"\xc3\xa9\": 1, \"z\": 2, \"\xe2\x82\xac\": 3, \"\": 4}",
      R"({"q\"uote": 1, "back\\slash": 2, "new\nline": 3, "\u001f": 4})",
      // Integers at and past the int64 range, zeros, and numbers jsoncpp turns into doubles.
      R"([0, -0, 7, -7, 9223372036854775807, -9223372036854775808, 9223372036854775808])",
      R"([18446744073709551615, 18446744073709551616, 1.0, 1.50, -2.5e-3, 1E2])",
      // Escapes of every kind in values.
      R"(["\"", "\\", "\/", "\b\f\n\r\t", "\u0000x", "\u007f", "\u0080", "\uffff"])",
      R"(["\ud83d\ude00", "\u00e9t\u00e9", "caf\u00c3", "mixed \u0041\u00e9"])",
      // Spacing of every kind, nesting, empties.
      " { \"a\" :\t[ 1 ,\n{ } , [ ] , { \"b\" : { \"c\" : [ null , true , false ] } } ]\r\n} ",
      "[[[[[[[[[[[]]]]]]]]]]]",
  };
  for (const auto& text : texts) {
    INFO(text);
    CHECK(json::canonical_json(text) == json::write(json::parse_trusted(text)));
  }
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01", "+1", "[1] x", "tru", "\"open",
                          // jsoncpp's strict mode takes only an object or array at the top.
                          "\"a string\"", "42", "true", "null", "[1e400]"}) {
    INFO(bad);
    CHECK_THROWS_AS(json::canonical_json(bad), common::AppError);
  }
}
