#include "common/router.h"

#include <catch2/catch.hpp>

using common::Access;
using common::Router;
using Kind = common::RouteMatch::Kind;

namespace {
common::Response noop(const common::Request&, common::RouteContext&) { return {}; }

Router sample_router() {
  return Router({
      {"GET", "/health", Access::kPublic, noop},
      {"GET", "/api/v1/products", Access::kPublic, noop},
      {"POST", "/api/v1/products", Access::kAdmin, noop},
      {"GET", "/api/v1/products/{id}", Access::kPublic, noop},
      {"PATCH", "/api/v1/carts/me/items/{item}", Access::kUser, noop},
      {"GET", "/api/v1/a/{x}/b/{y}", Access::kPublic, noop},
  });
}
}  // namespace

TEST_CASE("router matches static and parameterised paths", "[unit][router]") {
  const Router router = sample_router();
  auto m = router.match("GET", "/api/v1/products/42");
  REQUIRE(m.kind == Kind::kFound);
  CHECK(m.route->pattern == "/api/v1/products/{id}");
  CHECK(m.params == std::vector<int64_t>{42});

  m = router.match("GET", "/api/v1/a/7/b/9223372036854775807");
  REQUIRE(m.kind == Kind::kFound);
  CHECK(m.params == std::vector<int64_t>{7, INT64_MAX});

  CHECK(router.match("GET", "/health").kind == Kind::kFound);
}

TEST_CASE("router answers 404 for ids that are not positive 64-bit integers", "[unit][router]") {
  const Router router = sample_router();
  for (const char* path :
       {"/api/v1/products/0", "/api/v1/products/-1", "/api/v1/products/abc", "/api/v1/products/1.5",
        "/api/v1/products/+1", "/api/v1/products/ 1", "/api/v1/products/9223372036854775808",
        "/api/v1/products/", "/api/v1/products/1/", "/api/v1/products/1/x", "/nope", "/"}) {
    INFO(path);
    CHECK(router.match("GET", path).kind == Kind::kNotFound);
  }
}

TEST_CASE("router answers 405 with every allowed method for a known path", "[unit][router]") {
  const Router router = sample_router();
  auto m = router.match("DELETE", "/api/v1/products");
  REQUIRE(m.kind == Kind::kMethodNotAllowed);
  CHECK(m.allow == "GET, POST");
  m = router.match("GET", "/api/v1/carts/me/items/3");
  REQUIRE(m.kind == Kind::kMethodNotAllowed);
  CHECK(m.allow == "PATCH");
}

TEST_CASE("router lets HEAD use GET routes", "[unit][router]") {
  const Router router = sample_router();
  auto m = router.match("HEAD", "/api/v1/products/5");
  REQUIRE(m.kind == Kind::kFound);
  CHECK(m.route->method == "GET");
}

TEST_CASE("parse_positive_id accepts only canonical positive decimals", "[unit][router]") {
  CHECK(common::parse_positive_id("1") == 1);
  CHECK(common::parse_positive_id("007") == 7);
  CHECK_FALSE(common::parse_positive_id("").has_value());
  CHECK_FALSE(common::parse_positive_id("0").has_value());
  CHECK_FALSE(common::parse_positive_id("-5").has_value());
  CHECK_FALSE(common::parse_positive_id("12a").has_value());
  CHECK_FALSE(common::parse_positive_id("99999999999999999999").has_value());
}
