#include "common/http.h"

#include <catch2/catch.hpp>

#include "common/json.h"

using common::QueryParams;

TEST_CASE("query strings are decoded, first value wins", "[unit][http]") {
  const auto q = QueryParams::parse("a=1&b=two+words&c=%41%2b&a=2&empty=&flag&bad=%zz");
  CHECK(q.get("a") == "1");
  CHECK(q.get("b") == "two words");
  CHECK(q.get("c") == "A+");
  CHECK(q.get("empty") == "");
  CHECK(q.get("flag") == "");
  CHECK(q.get("bad") == "%zz");
  CHECK_FALSE(q.get("missing").has_value());
}

TEST_CASE("url_decode keeps '+' in paths and truncated escapes as they are", "[unit][http]") {
  CHECK(common::url_decode("a+b%20c", false) == "a+b c");
  CHECK(common::url_decode("50%", true) == "50%");
  CHECK(common::url_decode("%4", true) == "%4");
}

TEST_CASE("ETags are stable and If-None-Match follows RFC 9110 weak comparison", "[unit][http]") {
  const std::string tag = common::make_etag("{\"a\":1}");
  CHECK(tag == common::make_etag("{\"a\":1}"));
  CHECK(tag != common::make_etag("{\"a\":2}"));
  CHECK(tag.front() == '"');
  CHECK(common::etag_matches(tag, tag));
  CHECK(common::etag_matches("\"other\", " + tag, tag));
  CHECK(common::etag_matches("W/" + tag, tag));
  CHECK(common::etag_matches("*", tag));
  CHECK_FALSE(common::etag_matches("\"other\"", tag));
  CHECK_FALSE(common::etag_matches("", tag));
}

TEST_CASE("conditional_ok answers 304 without a body when the ETag matches", "[unit][http]") {
  Json::Value data(Json::objectValue);
  data["items"] = Json::Value(Json::arrayValue);
  common::Request req;
  const common::Response first = common::conditional_ok(req, data);
  CHECK(first.status == 200);
  const Json::Value envelope = common::json::parse_trusted(first.body);
  CHECK(envelope["success"].asBool());
  CHECK(envelope["data"] == data);
  CHECK(envelope["timestamp"].isString());
  std::string etag;
  for (const auto& [name, value] : first.headers) {
    if (name == "ETag") etag = value;
  }
  REQUIRE_FALSE(etag.empty());

  req.headers["if-none-match"] = etag;
  const common::Response second = common::conditional_ok(req, data);
  CHECK(second.status == 304);
  CHECK(second.body.empty());
}

TEST_CASE("request ids from outside are kept only when sane", "[unit][http]") {
  CHECK(common::is_sane_request_id("abc-123_X.y"));
  CHECK_FALSE(common::is_sane_request_id(""));
  CHECK_FALSE(common::is_sane_request_id("has space"));
  CHECK_FALSE(common::is_sane_request_id("semi;colon"));
  CHECK_FALSE(common::is_sane_request_id(std::string(129, 'a')));
  const std::string a = common::generate_request_id(), b = common::generate_request_id();
  CHECK(common::is_sane_request_id(a));
  CHECK(a != b);
}
