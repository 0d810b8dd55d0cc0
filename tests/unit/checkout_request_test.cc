// Checkout input: the body's fields, the Idempotency-Key header and the body
// hash that decides "same request or not".
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "tests/support/validation.h"
#include "workers/services/checkout_service.h"

using common::AppError;
using common::ErrorCode;

namespace {

Json::Value body(const std::string& text) { return common::json::parse_object(text); }

// The details of the VALIDATION_ERROR `text` is answered with.
Json::Value checkout_problems(const std::string& text) {
  INFO(text);
  return test_support::validation_details([&] { services::parse_checkout(body(text)); });
}

}  // namespace

TEST_CASE("an empty checkout body means USD and no addresses", "[unit][checkout]") {
  const auto request = services::parse_checkout(Json::Value(Json::objectValue));
  CHECK(request.currency == "USD");
  CHECK_FALSE(request.shipping_address_id);
  CHECK_FALSE(request.billing_address_id);
  const auto full = services::parse_checkout(
      body(R"({"shipping_address_id": 4, "billing_address_id": 5, "currency": "EUR", "x": 1})"));
  CHECK(full.shipping_address_id == 4);
  CHECK(full.billing_address_id == 5);
  CHECK(full.currency == "EUR");
  CHECK(services::parse_checkout(body(R"({"shipping_address_id": null})")).currency == "USD");
}

TEST_CASE("bad checkout fields are each named", "[unit][checkout]") {
  const Json::Value d = checkout_problems(
      R"({"shipping_address_id": "4", "billing_address_id": 0, "currency": "usd"})");
  CHECK(d.isMember("shipping_address_id"));
  CHECK(d.isMember("billing_address_id"));
  CHECK(d.isMember("currency"));
  CHECK(checkout_problems(R"({"currency": "EURO"})").isMember("currency"));
  CHECK(checkout_problems(R"({"currency": 840})").isMember("currency"));
  CHECK(checkout_problems(R"({"shipping_address_id": 1.5})").isMember("shipping_address_id"));
  CHECK(checkout_problems(R"({"billing_address_id": true})").isMember("billing_address_id"));
}

TEST_CASE("an Idempotency-Key is 1 to 255 printable ASCII characters", "[unit][checkout]") {
  CHECK(services::is_valid_idempotency_key("a"));
  CHECK(services::is_valid_idempotency_key("4f1c2b9e-7d1a-4c55-9a8e-0b7e1f2a3c4d"));
  CHECK(services::is_valid_idempotency_key("order 42: retry #2 ~!"));
  CHECK(services::is_valid_idempotency_key(std::string(255, 'k')));
  CHECK_FALSE(services::is_valid_idempotency_key(""));
  CHECK_FALSE(services::is_valid_idempotency_key(std::string(256, 'k')));
  CHECK_FALSE(services::is_valid_idempotency_key("tab\there"));
  CHECK_FALSE(services::is_valid_idempotency_key("caf\xc3\xa9"));
  CHECK_FALSE(services::is_valid_idempotency_key(std::string("nul\0", 4)));

  CHECK_FALSE(services::parse_idempotency_key(std::nullopt));
  CHECK(services::parse_idempotency_key(std::string("k-1")) == "k-1");
  try {
    services::parse_idempotency_key(std::string(""));
    FAIL("an empty key was accepted");
  } catch (const AppError& e) {
    CHECK(e.code() == ErrorCode::kValidationError);
    CHECK(e.details().isMember("Idempotency-Key"));
  }
}

TEST_CASE("the request hash ignores formatting and key order, not values", "[unit][checkout]") {
  const std::string a =
      services::checkout_request_hash(body(R"({"currency": "EUR", "shipping_address_id": 7})"));
  const std::string b = services::checkout_request_hash(
      body("{ \"shipping_address_id\" : 7,\n  \"currency\":\"EUR\" }"));
  CHECK(a == b);
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a !=
        services::checkout_request_hash(body(R"({"currency": "EUR", "shipping_address_id": 8})")));
  CHECK(a !=
        services::checkout_request_hash(body(R"({"currency": "USD", "shipping_address_id": 7})")));
  // No body and an empty object are the same request.
  CHECK(services::checkout_request_hash(Json::Value(Json::objectValue)) ==
        services::checkout_request_hash(body("{}")));
  CHECK(services::checkout_request_hash(body("{}")) !=
        services::checkout_request_hash(body(R"({"currency": "USD"})")));
}
