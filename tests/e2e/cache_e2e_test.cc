// The catalogue cache through nginx (API.md "Catalogue cache"): Cache-Status on
// every catalogue answer, the same ETag (and 304) whether the body came from
// Redis or PostgreSQL, and a write visible to the very next read.
#include <catch2/catch.hpp>
#include <string>

#include "tests/support/api_session.h"
#include "tests/support/e2e_auth.h"
#include "tests/support/http_client.h"

using test_support::http_get;
using test_support::send_json;

namespace {

constexpr const char* kStored = "ecommerce; fwd=miss; stored";
constexpr const char* kHit = "ecommerce; hit";

}  // namespace

TEST_CASE("product detail: stored on a miss, then a hit with the same ETag and 304",
          "[e2e][cache]") {
  const auto admin = test_support::admin_session();
  const auto made = test_support::api_make_variant(admin, 5, 1234);
  const std::string path = "/api/v1/products/" + std::to_string(made.product_id);

  const auto first = http_get(path);
  REQUIRE(first.status == 200);
  CHECK(first.header("cache-status") == kStored);
  const auto second = http_get(path);
  REQUIRE(second.status == 200);
  CHECK(second.header("cache-status") == kHit);
  CHECK(second.header("etag") == first.header("etag"));
  CHECK(second.json()["data"] == first.json()["data"]);

  const auto not_modified = http_get(path, {"If-None-Match: " + first.header("etag")});
  CHECK(not_modified.status == 304);
  CHECK(not_modified.header("cache-status") == kHit);
  CHECK(not_modified.body.empty());
}

TEST_CASE("an admin write is visible to the next cached read", "[e2e][cache]") {
  const auto admin = test_support::admin_session();
  const auto made = test_support::api_make_variant(admin, 5, 1234);
  const std::string path = "/api/v1/products/" + std::to_string(made.product_id);
  http_get(path);
  REQUIRE(http_get(path).header("cache-status") == kHit);

  const auto patched =
      send_json("PATCH", "/api/v1/admin/products/" + std::to_string(made.product_id),
                R"({"title": "Renamed while cached"})", admin.access_token);
  REQUIRE(patched.status == 200);
  const auto after = http_get(path);
  CHECK(after.json()["data"]["title"] == "Renamed while cached");
  CHECK(after.header("cache-status") == kStored);

  const auto stock =
      send_json("POST", "/api/v1/admin/variants/" + std::to_string(made.variant_id) + "/stock",
                R"({"delta": 3})", admin.access_token);
  REQUIRE(stock.status == 200);
  CHECK(http_get(path).json()["data"]["total_available"] == 8);
}

TEST_CASE("lists and categories carry Cache-Status too", "[e2e][cache]") {
  for (const char* path : {"/api/v1/categories", "/api/v1/products?limit=3"}) {
    INFO(path);
    const auto a = http_get(path);
    REQUIRE(a.status == 200);
    CHECK_FALSE(a.header("cache-status").empty());
    const auto b = http_get(path);
    CHECK(b.header("cache-status") == kHit);
    CHECK(b.header("etag") == a.header("etag"));
  }
  // Errors are not cached answers: no Cache-Status on a 400.
  const auto bad = http_get("/api/v1/products?limit=0");
  CHECK(bad.status == 400);
}

TEST_CASE("health reports the cache as reachable", "[e2e][cache][health]") {
  const auto r = http_get("/health");
  REQUIRE(r.status == 200);
  CHECK(r.json()["cache"] == "reachable");
}
