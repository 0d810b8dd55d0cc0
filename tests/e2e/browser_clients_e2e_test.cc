// What nginx adds for browsers and clients in front of the pool: CORS for the
// allowed origins (scripts/test.sh allows E2E_CORS_ORIGIN), gzip for JSON over
// 1 KiB, and the API description at /openapi.json and /docs.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "tests/support/api_session.h"
#include "tests/support/http_client.h"

using test_support::http;
using test_support::http_get;
using test_support::HttpRequest;
using test_support::HttpResponse;

namespace {

// The origin the e2e stack allows (CORS_ALLOWED_ORIGINS of scripts/test.sh).
std::string allowed_origin() {
  const char* v = std::getenv("E2E_CORS_ORIGIN");
  if (!v || !*v) FAIL("E2E_CORS_ORIGIN is unset: run the end-to-end tests through `make test`");
  return v;
}

const char* const kStranger = "https://not-allowed.example";

HttpResponse preflight(const std::string& path, const std::string& origin,
                       const std::string& method) {
  HttpRequest r;
  r.method = "OPTIONS";
  r.path = path;
  r.headers = {"Origin: " + origin, "Access-Control-Request-Method: " + method,
               "Access-Control-Request-Headers: authorization, content-type"};
  return http(r);
}

void check_no_cors_headers(const HttpResponse& r) {
  for (const auto& [name, value] : r.headers) {
    INFO(name << ": " << value);
    CHECK(name.rfind("access-control-", 0) != 0);
  }
}

void check_cors_answer(const HttpResponse& r, const std::string& origin) {
  CHECK(r.header("access-control-allow-origin") == origin);
  CHECK(r.header("access-control-allow-credentials") == "true");
  const std::string exposed = r.header("access-control-expose-headers");
  for (const char* name : {"ETag", "X-Request-Id", "Retry-After", "Idempotent-Replayed"}) {
    INFO(name);
    CHECK(exposed.find(name) != std::string::npos);
  }
  CHECK(r.header("vary").find("Origin") != std::string::npos);
}

}  // namespace

TEST_CASE("a preflight from an allowed origin is answered 204 with what may be sent",
          "[e2e][cors]") {
  const std::string origin = allowed_origin();
  const HttpResponse r = preflight("/api/v1/carts/me/items", origin, "POST");
  CHECK(r.status == 204);
  CHECK(r.header("access-control-allow-origin") == origin);
  CHECK(r.header("access-control-allow-credentials") == "true");
  const std::string methods = r.header("access-control-allow-methods");
  for (const char* m : {"GET", "POST", "PATCH", "DELETE"})
    CHECK(methods.find(m) != std::string::npos);
  const std::string headers = r.header("access-control-allow-headers");
  for (const char* h : {"Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"})
    CHECK(headers.find(h) != std::string::npos);
  CHECK(std::atoi(r.header("access-control-max-age").c_str()) > 0);
  CHECK(!r.header("x-request-id").empty());
}

TEST_CASE("answers to an allowed origin carry CORS headers, errors included", "[e2e][cors]") {
  const std::string origin = allowed_origin();
  check_cors_answer(http_get("/api/v1/categories", {"Origin: " + origin}), origin);

  // The worker's own error.
  const HttpResponse unauthorized = http_get("/api/v1/carts/me", {"Origin: " + origin});
  CHECK(unauthorized.status == 401);
  check_cors_answer(unauthorized, origin);

  // nginx's own error page (body over the limit).
  HttpRequest big;
  big.method = "POST";
  big.path = "/api/v1/auth/login";
  big.headers = {"Origin: " + origin, "Content-Type: application/json"};
  big.body = std::string(70 * 1024, 'x');
  big.has_body = true;
  const HttpResponse too_large = http(big);
  CHECK(too_large.status == 413);
  check_cors_answer(too_large, origin);
}

TEST_CASE("an origin not on the list gets no CORS headers", "[e2e][cors]") {
  check_no_cors_headers(http_get("/api/v1/categories", {std::string("Origin: ") + kStranger}));
  // Its preflight is not answered by nginx: the worker says OPTIONS is not allowed.
  const HttpResponse r = preflight("/api/v1/categories", kStranger, "GET");
  CHECK(r.status == 405);
  check_no_cors_headers(r);
  // Neither does a request without Origin.
  check_no_cors_headers(http_get("/api/v1/categories"));
}

TEST_CASE("JSON answers over 1 KiB are gzip-compressed for clients that accept it", "[e2e][gzip]") {
  const test_support::Session admin = test_support::admin_session();
  const test_support::CreatedVariant made = test_support::api_make_variant(admin, 5, 1500);
  const std::string product = "/api/v1/products/" + std::to_string(made.product_id);
  for (int i = 0; i < 8; ++i) {
    Json::Value variant(Json::objectValue);
    variant["sku"] = made.sku + "-" + std::to_string(i);
    variant["price_cents"] = 1000 + i;
    variant["attributes"]["size"] = "size number " + std::to_string(i);
    REQUIRE(test_support::api(
                admin, "POST",
                "/api/v1/admin/products/" + std::to_string(made.product_id) + "/variants", variant)
                .status == 201);
  }
  const HttpResponse plain = http_get(product);
  REQUIRE(plain.status == 200);
  REQUIRE(plain.body.size() > 1024);
  CHECK(plain.header("content-encoding").empty());

  const HttpResponse gzipped = http_get(product, {"Accept-Encoding: gzip"});
  REQUIRE(gzipped.status == 200);
  CHECK(gzipped.header("content-encoding") == "gzip");
  CHECK(gzipped.body.size() < plain.body.size());
  CHECK(gzipped.body.substr(0, 2) == "\x1f\x8b");

  // The compressed answer's (weak) ETag still revalidates.
  const std::string etag = gzipped.header("etag");
  REQUIRE(!etag.empty());
  CHECK(http_get(product, {"Accept-Encoding: gzip", "If-None-Match: " + etag}).status == 304);

  // Small answers stay as they are.
  CHECK(
      http_get("/api/v1/categories", {"Accept-Encoding: gzip"}).header("content-encoding").empty());
}

TEST_CASE("the API description is served at /openapi.json with an ETag", "[e2e][openapi]") {
  const HttpResponse r = http_get("/openapi.json");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").find("application/json") == 0);
  CHECK(r.header("cache-control").find("public") != std::string::npos);
  const Json::Value doc = r.json();
  CHECK(doc["openapi"].asString().rfind("3.1", 0) == 0);
  CHECK(doc["paths"].isMember("/api/v1/orders/checkout"));
  const std::string etag = r.header("etag");
  REQUIRE(!etag.empty());
  CHECK(http_get("/openapi.json", {"If-None-Match: " + etag}).status == 304);
}

TEST_CASE("the docs page and its assets are served from the build", "[e2e][openapi]") {
  const HttpResponse page = http_get("/docs");
  REQUIRE(page.status == 200);
  CHECK(page.header("content-type").find("text/html") == 0);
  CHECK(page.body.find("swagger-ui-bundle.js") != std::string::npos);
  const HttpResponse bundle = http_get("/docs/swagger-ui-bundle.js");
  CHECK(bundle.status == 200);
  CHECK(bundle.header("content-type").find("javascript") != std::string::npos);
  CHECK(http_get("/docs/no-such-file.js").status == 404);
}
