// One CGI rendering of a Response for both FastCGI paths (workers and master).
#include "workers/server/cgi_response.h"

#include <catch2/catch.hpp>

TEST_CASE("a CGI response has the status, its headers, the length and the body", "[unit][fcgi]") {
  common::Response res;
  res.status = 405;
  res.body = "{}";
  res.with_header("Allow", "GET, HEAD");
  CHECK(server::cgi_response("POST", res) ==
        "Status: 405 Method Not Allowed\r\nContent-Type: application/json; charset=utf-8\r\n"
        "Allow: GET, HEAD\r\nContent-Length: 2\r\n\r\n{}");
}

TEST_CASE("HEAD keeps the length but not the body, 204 and 304 have neither", "[unit][fcgi]") {
  common::Response res;
  res.content_type = "text/plain";
  res.body = "ok";
  CHECK(server::cgi_response("HEAD", res) ==
        "Status: 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n");
  const common::Response none = common::Response::no_content();
  CHECK(server::cgi_response("GET", none) == "Status: 204 No Content\r\n\r\n");
  CHECK_FALSE(server::cgi_has_body("GET", 304));
  CHECK(server::cgi_has_body("GET", 200));
}
