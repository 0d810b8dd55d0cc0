// Address input validation (API.md "Addresses").
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "tests/support/validation.h"
#include "workers/services/address_service.h"

namespace {

Json::Value body(const std::string& text) { return common::json::parse_object(text); }

Json::Value problems(const std::string& text) {
  INFO(text);
  return test_support::validation_details([&] { services::parse_new_address(body(text)); });
}

}  // namespace

TEST_CASE("a full address is trimmed and its country upper-cased", "[unit][addresses]") {
  const auto a = services::parse_new_address(
      body(R"({"line1": " 1 Main St ", "line2": "Apt 2", "city": "Berlin", "region": "BE",)"
           R"( "country": "de", "postal_code": "10115"})"));
  CHECK(a.line1 == "1 Main St");
  CHECK(a.line2 == "Apt 2");
  CHECK(a.city == "Berlin");
  CHECK(a.region == "BE");
  CHECK(a.country == "DE");
  CHECK(a.postal_code == "10115");

  const auto minimal = services::parse_new_address(
      body(R"({"line1": "x", "line2": "  ", "city": "y", "country": "US", "postal_code": "1"})"));
  CHECK_FALSE(minimal.line2);
  CHECK_FALSE(minimal.region);
}

TEST_CASE("missing, blank, too long and unknown address fields are each named",
          "[unit][addresses]") {
  const Json::Value none = problems("{}");
  for (const char* field : {"line1", "city", "country", "postal_code"}) {
    CHECK(none.isMember(field));
  }
  CHECK_FALSE(none.isMember("line2"));
  CHECK_FALSE(none.isMember("region"));

  const Json::Value bad =
      problems(R"({"line1": "   ", "city": 7, "country": "XX",)"
               R"( "postal_code": ")" +
               std::string(21, '9') + R"(", "region": ")" + std::string(201, 'r') + R"("})");
  for (const char* field : {"line1", "city", "country", "postal_code", "region"}) {
    CHECK(bad.isMember(field));
  }
  CHECK(problems(R"({"line1": "a", "city": "b", "country": "DEU", "postal_code": "1"})")
            .isMember("country"));
}

TEST_CASE("countries are the assigned ISO 3166-1 alpha-2 codes", "[unit][addresses]") {
  for (const char* code : {"AD", "DE", "US", "GB", "JP", "ZW", "SS"})
    CHECK(services::is_iso_country(code));
  for (const char* code : {"XX", "UK", "EU", "de", "D", "DEU", ""}) {
    CHECK_FALSE(services::is_iso_country(code));
  }
}
