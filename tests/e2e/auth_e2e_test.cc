// Accounts over HTTP through real nginx and the pool (API.md "Identity").
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "tests/support/e2e_auth.h"
#include "tests/support/factories.h"
#include "tests/support/http_client.h"

using test_support::bearer;
using test_support::http_get;
using test_support::send_json;

namespace {

std::string refresh_body(const std::string& token) {
  return R"({"refresh_token": )" + common::json::write(Json::Value(token)) + "}";
}

void check_error(const test_support::HttpResponse& r, long status, const char* code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.json()["success"] == false);
  CHECK(r.json()["error"]["code"] == code);
  CHECK(r.json()["request_id"].asString() == r.header("x-request-id"));
}

void check_unauthorized(const test_support::HttpResponse& r) {
  check_error(r, 401, "UNAUTHORIZED");
  CHECK(r.header("www-authenticate").rfind("Bearer", 0) == 0);
}

}  // namespace

TEST_CASE("register, login, me, refresh and logout over HTTP", "[e2e][auth]") {
  const std::string email = "Flow-" + test_support::unique_suffix() + "@Example.test";
  const std::string lower = [&] {
    std::string s = email;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }();
  const std::string credentials =
      R"({"email": ")" + email + R"(", "password": "correct-horse-42"})";

  const auto reg = send_json("POST", "/api/v1/auth/register", credentials);
  REQUIRE(reg.status == 201);
  const Json::Value account = reg.json()["data"];
  CHECK(account["email"] == lower);
  CHECK(account["user_id"].asInt64() > 0);
  CHECK(account["created_at"].isString());
  check_error(send_json("POST", "/api/v1/auth/register", credentials), 409, "EMAIL_TAKEN");

  const auto login = test_support::login(lower, "correct-horse-42");
  REQUIRE(login.status == 200);
  const Json::Value pair = login.json()["data"];
  CHECK(pair["token_type"] == "Bearer");
  CHECK(pair["expires_in"] == 900);
  CHECK(login.header("cache-control") == "no-store");
  const std::string access = pair["access_token"].asString();
  const std::string refresh = pair["refresh_token"].asString();

  const auto me = http_get("/api/v1/auth/me", {bearer(access)});
  REQUIRE(me.status == 200);
  CHECK(me.json()["data"]["user_id"] == account["user_id"]);
  CHECK(me.json()["data"]["email"] == lower);
  CHECK(me.json()["data"]["role"] == "user");

  const auto refreshed = send_json("POST", "/api/v1/auth/refresh", refresh_body(refresh));
  REQUIRE(refreshed.status == 200);
  const std::string refresh2 = refreshed.json()["data"]["refresh_token"].asString();
  CHECK(refresh2 != refresh);
  CHECK(http_get("/api/v1/auth/me", {bearer(refreshed.json()["data"]["access_token"].asString())})
            .status == 200);

  const auto logout = send_json("POST", "/api/v1/auth/logout", refresh_body(refresh2));
  CHECK(logout.status == 204);
  CHECK(logout.body.empty());
  check_unauthorized(send_json("POST", "/api/v1/auth/refresh", refresh_body(refresh2)));
}

TEST_CASE("a reused refresh token revokes its login over HTTP", "[e2e][auth]") {
  const auto session = test_support::new_user_session();
  const auto first = send_json("POST", "/api/v1/auth/refresh", refresh_body(session.refresh_token));
  REQUIRE(first.status == 200);
  const std::string successor = first.json()["data"]["refresh_token"].asString();
  check_unauthorized(
      send_json("POST", "/api/v1/auth/refresh", refresh_body(session.refresh_token)));
  check_unauthorized(send_json("POST", "/api/v1/auth/refresh", refresh_body(successor)));
}

TEST_CASE("protected routes answer 401 with WWW-Authenticate: Bearer", "[e2e][auth]") {
  const auto none = http_get("/api/v1/auth/me");
  check_unauthorized(none);
  CHECK(none.header("www-authenticate") == "Bearer");
  // X-User-Id is not identity any more.
  check_unauthorized(http_get("/api/v1/auth/me", {"X-User-Id: 1"}));
  check_unauthorized(http_get("/api/v1/auth/me", {"Authorization: Bearer not.a.jwt"}));
  check_unauthorized(http_get("/api/v1/auth/me", {"Authorization: Basic YWRtaW46YWRtaW4="}));
  // alg "none" with admin claims
  check_unauthorized(
      http_get("/api/v1/auth/me", {"Authorization: Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
                                   "eyJzdWIiOiIxIiwicm9sZSI6ImFkbWluIiwiaWF0IjoxNzAwMDAwMDAwLCJleHA"
                                   "iOjQxMDAwMDAwMDAsImp0aSI6IngifQ."}));
}

TEST_CASE("login failures all look the same and bad bodies are 400", "[e2e][auth]") {
  const auto session = test_support::new_user_session();
  const auto wrong = test_support::login(session.email, "not-the-password");
  const auto unknown = test_support::login(
      "nobody-" + test_support::unique_suffix() + "@example.test", session.password);
  check_error(wrong, 401, "INVALID_CREDENTIALS");
  check_error(unknown, 401, "INVALID_CREDENTIALS");
  CHECK(wrong.json()["error"]["message"] == unknown.json()["error"]["message"]);

  const auto bad =
      send_json("POST", "/api/v1/auth/register", R"({"email": "nope", "password": "short"})");
  check_error(bad, 400, "VALIDATION_ERROR");
  CHECK(bad.json()["error"]["details"].isMember("email"));
  CHECK(bad.json()["error"]["details"].isMember("password"));
  check_error(send_json("POST", "/api/v1/auth/login", "{not json"), 400, "INVALID_JSON");
  check_error(send_json("POST", "/api/v1/auth/refresh", "{}"), 400, "VALIDATION_ERROR");
  check_error(http_get("/api/v1/auth/login"), 405, "METHOD_NOT_ALLOWED");
}

TEST_CASE("an account is rate limited after 10 failed logins", "[e2e][auth]") {
  const auto session = test_support::new_user_session();
  for (int i = 0; i < 10; ++i) {
    INFO("attempt " << i);
    CHECK(test_support::login(session.email, "guess-" + std::to_string(i)).status == 401);
  }
  const auto limited = test_support::login(session.email, session.password);
  check_error(limited, 429, "RATE_LIMITED");
  const int retry_after = std::stoi(limited.header("retry-after"));
  CHECK(retry_after >= 1);
  CHECK(retry_after <= 900);
}

TEST_CASE("a password change over HTTP ends the account's refresh tokens", "[e2e][auth]") {
  const auto session = test_support::new_user_session();
  const auto other = test_support::login(session.email, session.password);
  REQUIRE(other.status == 200);
  const std::string other_refresh = other.json()["data"]["refresh_token"].asString();

  check_error(send_json("POST", "/api/v1/auth/password",
                        R"({"current_password": "wrong-password", "new_password": "brand-new-pw"})",
                        session.access_token),
              401, "INVALID_CREDENTIALS");
  check_error(
      send_json("POST", "/api/v1/auth/password",
                R"({"current_password": ")" + session.password + R"(", "new_password": "short"})",
                session.access_token),
      400, "VALIDATION_ERROR");
  check_unauthorized(send_json("POST", "/api/v1/auth/password",
                               R"({"current_password": "x", "new_password": "brand-new-pw"})"));

  const auto changed = send_json(
      "POST", "/api/v1/auth/password",
      R"({"current_password": ")" + session.password + R"(", "new_password": "brand-new-pw"})",
      session.access_token);
  CHECK(changed.status == 204);
  check_unauthorized(
      send_json("POST", "/api/v1/auth/refresh", refresh_body(session.refresh_token)));
  check_unauthorized(send_json("POST", "/api/v1/auth/refresh", refresh_body(other_refresh)));
  check_error(test_support::login(session.email, session.password), 401, "INVALID_CREDENTIALS");
  const auto fresh = test_support::login(session.email, "brand-new-pw");
  REQUIRE(fresh.status == 200);
  CHECK(http_get("/api/v1/auth/me", {bearer(fresh.json()["data"]["access_token"].asString())})
            .status == 200);
}
