#include "tests/support/e2e_auth.h"

#include <catch2/catch.hpp>
#include <cstdlib>

#include "common/json.h"
#include "tests/support/factories.h"

namespace test_support {

namespace {

std::string json_string(const std::string& s) { return common::json::write(Json::Value(s)); }

std::string required_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v)
    FAIL(std::string(name) + " is unset: run the end-to-end tests through `make test`");
  return v;
}

Session logged_in(const std::string& email, const std::string& password) {
  const HttpResponse r = login(email, password);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const Json::Value data = r.json()["data"];
  Session s;
  s.email = email;
  s.password = password;
  s.access_token = data["access_token"].asString();
  s.refresh_token = data["refresh_token"].asString();
  const HttpResponse me = http_get("/api/v1/auth/me", {bearer(s.access_token)});
  REQUIRE(me.status == 200);
  s.user_id = me.json()["data"]["user_id"].asInt64();
  return s;
}

}  // namespace

std::string bearer(const std::string& access_token) {
  return "Authorization: Bearer " + access_token;
}

HttpResponse send_json(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& access_token) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  r.body = body;
  r.has_body = true;
  r.headers.push_back("Content-Type: application/json");
  if (!access_token.empty()) r.headers.push_back(bearer(access_token));
  return http(r);
}

HttpResponse login(const std::string& email, const std::string& password) {
  return send_json(
      "POST", "/api/v1/auth/login",
      R"({"email": )" + json_string(email) + R"(, "password": )" + json_string(password) + "}");
}

Session new_user_session() {
  const std::string email = "e2e-" + unique_suffix() + "@example.test";
  const std::string password = "password-" + unique_suffix();
  const HttpResponse r = send_json(
      "POST", "/api/v1/auth/register",
      R"({"email": )" + json_string(email) + R"(, "password": )" + json_string(password) + "}");
  INFO(r.body);
  REQUIRE(r.status == 201);
  return logged_in(email, password);
}

Session admin_session() {
  return logged_in(required_env("E2E_ADMIN_EMAIL"), required_env("E2E_ADMIN_PASSWORD"));
}

}  // namespace test_support
