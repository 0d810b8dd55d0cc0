#include <catch2/catch.hpp>

#include "common/error.h"
#include "common/query_params.h"
#include "tests/support/validation.h"
#include "workers/handlers/list_requests.h"
#include "workers/services/catalog_service.h"

using common::QueryParams;

namespace {
services::ProductListRequest parse_product_list_query(const QueryParams& query) {
  return handlers::product_list_request(query);
}
}  // namespace

namespace {
// The VALIDATION_ERROR details of parsing `query`, or null when it is valid.
Json::Value details_of(const std::string& query) {
  INFO(query);
  return test_support::validation_details(
      [&] { parse_product_list_query(QueryParams::parse(query)); });
}
}  // namespace

TEST_CASE("product list query has API.md defaults", "[unit][catalog]") {
  const auto req = parse_product_list_query(QueryParams::parse(""));
  CHECK(req.limit == 20);
  CHECK(req.after_id == 0);
  CHECK_FALSE(req.category_id);
  CHECK_FALSE(req.title_contains);
  CHECK_FALSE(req.min_price_cents);
  CHECK_FALSE(req.max_price_cents);
  CHECK_FALSE(req.has_inventory);
}

TEST_CASE("product list query reads every filter", "[unit][catalog]") {
  const auto req = parse_product_list_query(QueryParams::parse(
      "limit=100&after=7&category_id=2&q=Pro+Book&min_price_cents=0&max_price_cents=5000&"
      "has_inventory=1&unknown=ignored"));
  CHECK(req.limit == 100);
  CHECK(req.after_id == 7);
  CHECK(req.category_id == 2);
  CHECK(req.title_contains == "Pro Book");
  CHECK(services::like_contains_pattern(*req.title_contains) == "%Pro Book%");
  CHECK(req.min_price_cents == 0);
  CHECK(req.max_price_cents == 5000);
  CHECK(req.has_inventory == true);
}

TEST_CASE("product list query rejects each bad parameter by name", "[unit][catalog]") {
  struct Case {
    const char* query;
    const char* field;
  };
  const Case cases[] = {
      {"limit=0", "limit"},
      {"limit=101", "limit"},
      {"limit=abc", "limit"},
      {"limit=1.5", "limit"},
      {"limit=", "limit"},
      {"after=-1", "after"},
      {"after=x", "after"},
      {"category_id=0", "category_id"},
      {"category_id=99999999999999999999", "category_id"},
      {"q=a", "q"},
      {"q=%FF%FE", "q"},
      {"min_price_cents=-1", "min_price_cents"},
      {"max_price_cents=ten", "max_price_cents"},
      {"min_price_cents=10&max_price_cents=5", "max_price_cents"},
      {"has_inventory=yes", "has_inventory"},
      {"has_inventory=TRUE", "has_inventory"},
  };
  for (const auto& c : cases) {
    INFO(c.query);
    const Json::Value details = details_of(c.query);
    REQUIRE(details.isObject());
    CHECK(details.isMember(c.field));
  }
}

TEST_CASE("title search longer than 100 characters is rejected", "[unit][catalog]") {
  CHECK(details_of("q=" + std::string(100, 'x')).isNull());
  CHECK(details_of("q=" + std::string(101, 'x')).isMember("q"));
}

TEST_CASE("product list query names all bad parameters at once", "[unit][catalog]") {
  const Json::Value details = details_of("limit=0&q=a&has_inventory=maybe");
  CHECK(details.size() == 3);
}

TEST_CASE("a two-character multibyte title search is accepted", "[unit][catalog]") {
  const auto req = parse_product_list_query(QueryParams::parse("q=%C3%A9t"));
  CHECK(req.title_contains == "\xC3\xA9t");
  CHECK(services::like_contains_pattern(*req.title_contains) == "%\xC3\xA9t%");
}

TEST_CASE("title search escapes LIKE wildcards so they match literally", "[unit][catalog]") {
  CHECK(services::like_contains_pattern("50%") == "%50\\%%");
  CHECK(services::like_contains_pattern("a_b") == "%a\\_b%");
  CHECK(services::like_contains_pattern("back\\slash") == "%back\\\\slash%");
  CHECK(services::like_contains_pattern("plain") == "%plain%");
}
