// The master's FastCGI codec (status socket), against what nginx sends.
#include "workers/server/fcgi_codec.h"

#include <catch2/catch.hpp>

#include "workers/server/cgi_response.h"

using server::fcgi::RequestParser;

TEST_CASE("a request is parsed whole, even one byte at a time", "[unit][fcgi]") {
  const std::map<std::string, std::string> params = {{"REQUEST_METHOD", "GET"},
                                                     {"DOCUMENT_URI", "/status"},
                                                     {"QUERY_STRING", "full"},
                                                     {"LONG", std::string(300, 'x')}};
  const std::string bytes = server::fcgi::encode_request(1, params, "");
  RequestParser whole;
  REQUIRE(whole.feed(bytes) == RequestParser::State::kComplete);
  CHECK(whole.params() == params);
  CHECK(whole.request_id() == 1);

  RequestParser trickle;
  RequestParser::State state = RequestParser::State::kNeedMore;
  for (size_t i = 0; i < bytes.size(); ++i) {
    state = trickle.feed(bytes.substr(i, 1));
    if (i + 1 < bytes.size()) REQUIRE(state == RequestParser::State::kNeedMore);
  }
  CHECK(state == RequestParser::State::kComplete);
  CHECK(trickle.param("QUERY_STRING") == "full");
}

TEST_CASE("a request body is collected", "[unit][fcgi]") {
  RequestParser p;
  REQUIRE(p.feed(server::fcgi::encode_request(3, {{"REQUEST_METHOD", "POST"}}, "hello")) ==
          RequestParser::State::kComplete);
  CHECK(p.body() == "hello");
}

TEST_CASE("protocol violations are errors", "[unit][fcgi]") {
  RequestParser p;
  CHECK(p.feed(std::string("\x02\x01\x00\x01\x00\x08\x00\x00", 8) + std::string(8, '\0')) ==
        RequestParser::State::kError);  // version 2
  RequestParser q;
  const std::string params_first = server::fcgi::encode_request(1, {{"A", "b"}}, "").substr(16);
  CHECK(q.feed(params_first) == RequestParser::State::kError);  // no BEGIN_REQUEST
  RequestParser big;
  CHECK(big.feed(server::fcgi::encode_request(1, {{"A", std::string(70000, 'x')}}, "")) ==
        RequestParser::State::kError);
}

TEST_CASE("a response is STDOUT records, an empty one, then END_REQUEST", "[unit][fcgi]") {
  common::Response res;
  res.content_type = "text/plain";
  res.body = "ok";
  const std::string cgi = server::cgi_response("GET", res);
  CHECK(cgi == "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
  const std::string out = server::fcgi::encode_response(5, cgi);
  REQUIRE(out.size() >= 8);
  CHECK(out[1] == 6);  // FCGI_STDOUT
  CHECK(out[3] == 5);  // request id
  const size_t len = (static_cast<unsigned char>(out[4]) << 8) | static_cast<unsigned char>(out[5]);
  CHECK(out.substr(8, len) == cgi);
  CHECK(out.size() % 8 == 0);
  CHECK(out[out.size() - 16 + 1] == 3);  // FCGI_END_REQUEST last
}
