// Validation of the /auth bodies (services/auth_service.h), pure.
#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "common/error.h"
#include "common/json.h"
#include "tests/support/parallel_calls.h"
#include "tests/support/validation.h"
#include "workers/services/auth_service.h"

namespace {

Json::Value body(const std::string& json) { return common::json::parse_object(json); }

// The details of the VALIDATION_ERROR that fn throws.
Json::Value details_of(const std::function<void()>& fn) {
  return test_support::validation_details(fn);
}

}  // namespace

TEST_CASE("emails are normalised to lower case", "[unit][auth]") {
  CHECK(services::normalise_email("Alice.Smith@Example.COM") == "alice.smith@example.com");
  CHECK(services::normalise_email("bob@example.com") == "bob@example.com");
}

TEST_CASE("email shape check", "[unit][auth]") {
  for (const char* good : {"a@b.co", "alice.smith+shop@example.com", "x_y-z@sub.example-1.org",
                           "o'brien@example.ie"}) {
    INFO(good);
    CHECK_FALSE(services::email_problem(good).has_value());
  }
  const std::string long_local = std::string(65, 'a') + "@example.com";
  const std::string long_label = "a@" + std::string(64, 'b') + ".com";
  const std::string too_long = std::string(64, 'a') + "@" + std::string(63, 'b') + "." +
                               std::string(63, 'c') + "." + std::string(63, 'd') + ".com";
  for (const std::string& bad : {std::string(""),
                                 std::string("alice"),
                                 std::string("@example.com"),
                                 std::string("alice@"),
                                 std::string("alice@example"),
                                 std::string("a@@example.com"),
                                 std::string("a@b@example.com"),
                                 std::string("al ice@example.com"),
                                 std::string("alice@exa mple.com"),
                                 std::string("alice@-example.com"),
                                 std::string("alice@example-.com"),
                                 std::string("alice@example..com"),
                                 std::string("alice@.example.com"),
                                 std::string("alice@example.com."),
                                 std::string("a\"b@example.com"),
                                 std::string("alice@ex_ample.com"),
                                 std::string("ålice@example.com"),
                                 long_local,
                                 long_label,
                                 too_long}) {
    INFO(bad);
    CHECK(services::email_problem(bad).has_value());
  }
}

TEST_CASE("passwords are 8 to 72 bytes without NUL", "[unit][auth]") {
  CHECK(services::password_problem("1234567").has_value());
  CHECK_FALSE(services::password_problem("12345678").has_value());
  CHECK_FALSE(services::password_problem(std::string(72, 'x')).has_value());
  CHECK(services::password_problem(std::string(73, 'x')).has_value());
  // 72 bytes, not characters: 24 three-byte characters fit, 25 do not.
  std::string euros;
  for (int i = 0; i < 24; ++i) euros += "\xe2\x82\xac";
  CHECK_FALSE(services::password_problem(euros).has_value());
  CHECK(services::password_problem(euros + "\xe2\x82\xac").has_value());
  CHECK(services::password_problem(std::string("abcd\0efgh", 9)).has_value());
}

TEST_CASE("registration body: both fields checked and named", "[unit][auth]") {
  const auto ok = services::parse_registration(
      body(R"({"email": "New.User@Example.com", "password": "s3cret-pass", "extra": 1})"));
  CHECK(ok.email == "new.user@example.com");
  CHECK(ok.password == "s3cret-pass");

  Json::Value d = details_of([] { services::parse_registration(body("{}")); });
  CHECK(d.isMember("email"));
  CHECK(d.isMember("password"));
  d = details_of(
      [] { services::parse_registration(body(R"({"email": "nope", "password": "short"})")); });
  CHECK(d.isMember("email"));
  CHECK(d.isMember("password"));
  d = details_of(
      [] { services::parse_registration(body(R"({"email": 5, "password": 12345678})")); });
  CHECK(d.isMember("email"));
  CHECK(d.isMember("password"));
  d = details_of([] {
    services::parse_registration(body(R"({"email": "a@b.co", "password": "abc\u0000defgh"})"));
  });
  CHECK(d.isMember("password"));
}

TEST_CASE("login body: strings required, shape left to the credential check", "[unit][auth]") {
  const auto c =
      services::parse_login(body(R"({"email": "ALICE@example.com", "password": "short"})"));
  CHECK(c.email == "alice@example.com");
  CHECK(c.password == "short");
  CHECK(services::parse_login(body(R"({"email": "not-an-email", "password": "x"})")).email ==
        "not-an-email");
  Json::Value d = details_of([] { services::parse_login(body(R"({"email": null})")); });
  CHECK(d.isMember("email"));
  CHECK(d.isMember("password"));
  d = details_of([] { services::parse_login(body(R"({"email": "a@b.co", "password": ""})")); });
  CHECK(d.isMember("password"));
}

TEST_CASE("refresh and logout bodies need a refresh_token string", "[unit][auth]") {
  CHECK(services::parse_refresh_token(body(R"({"refresh_token": "abc"})")) == "abc");
  CHECK(details_of([] { services::parse_refresh_token(body("{}")); }).isMember("refresh_token"));
  CHECK(details_of([] {
          services::parse_refresh_token(body(R"({"refresh_token": 7})"));
        }).isMember("refresh_token"));
  CHECK(details_of([] {
          services::parse_refresh_token(body(R"({"refresh_token": ""})"));
        }).isMember("refresh_token"));
}
