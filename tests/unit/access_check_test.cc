// The central access check: Authorization: Bearer -> verified JWT ->
// ctx.principal, 401 with WWW-Authenticate, 403 for non-admins on kAdmin routes.
#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "common/json.h"
#include "common/jwt.h"
#include "tests/support/responses.h"
#include "workers/server/dispatch.h"
#include "workers/services/access_token.h"
#include "workers/services/token_versions.h"

using common::Access;

namespace {

constexpr const char* kSecret = "unit-test-secret-unit-test-secret-0123";

common::Response whoami(const common::Request&, common::RouteContext& ctx) {
  Json::Value data(Json::objectValue);
  data["user_id"] = static_cast<Json::Int64>(ctx.principal.value().user_id);
  data["role"] = ctx.principal->role;
  return common::Response::ok(data);
}

common::Response anyone(const common::Request&, common::RouteContext& ctx) {
  Json::Value data(Json::objectValue);
  data["has_principal"] = ctx.principal.has_value();
  return common::Response::ok(data);
}

struct Fixture {
  // Every account is at token version 0 here (no database): the version
  // check itself is tested in token_versions_test.cc and against PostgreSQL.
  Fixture() {
    services::process_token_versions() = services::TokenVersions(
        [](common::pg::Connection&, int64_t) { return std::optional<int64_t>(0); });
  }
  common::Config config = [] {
    common::Config c;
    c.jwt_secret = kSecret;
    return c;
  }();
  common::pg::Connection db{common::pg::ConnectionOptions{}};
  common::Router router{{
      {"GET", "/public", Access::kPublic, anyone},
      {"GET", "/mine", Access::kUser, whoami},
      {"POST", "/admin/things", Access::kAdmin, whoami},
  }};

  server::DispatchResult run(const std::string& method, const std::string& path,
                             std::map<std::string, std::string> headers = {}) {
    common::Request req;
    req.method = method;
    req.path = path;
    req.headers = std::move(headers);
    req.remote_addr = "10.0.0.1";
    req.request_id = "rid-1";
    common::RouteContext ctx{db, config, {}, std::nullopt, nullptr, std::nullopt};
    return server::dispatch(router, req, ctx);
  }

  std::string token(int64_t user_id, const std::string& role, int64_t issued_at = 0) {
    return services::issue_access_token(config, user_id, role, 0,
                                        issued_at ? issued_at : services::unix_now());
  }
};

void check_unauthorized(const server::DispatchResult& r) {
  INFO(r.response.body);
  CHECK(r.response.status == 401);
  CHECK(test_support::body_json(r.response)["error"]["code"] == "UNAUTHORIZED");
  CHECK(test_support::header_value(r.response, "WWW-Authenticate").rfind("Bearer", 0) == 0);
}

}  // namespace

TEST_CASE_METHOD(Fixture, "a valid bearer token names the principal", "[unit][access]") {
  const auto r = run("GET", "/mine", {{"authorization", "Bearer " + token(7, "user")}});
  REQUIRE(r.response.status == 200);
  CHECK(test_support::body_json(r.response)["data"]["user_id"] == 7);
  CHECK(test_support::body_json(r.response)["data"]["role"] == "user");
  // The scheme is case-insensitive (RFC 7235), extra spaces are tolerated.
  CHECK(run("GET", "/mine", {{"authorization", "bearer   " + token(7, "user")}}).response.status ==
        200);
  CHECK(run("GET", "/mine", {{"authorization", "BEARER " + token(7, "user")}}).response.status ==
        200);
}

TEST_CASE_METHOD(Fixture, "no token is 401 with a plain Bearer challenge", "[unit][access]") {
  const auto r = run("GET", "/mine");
  check_unauthorized(r);
  CHECK(test_support::header_value(r.response, "WWW-Authenticate") == "Bearer");
  // X-User-Id is not identity.
  check_unauthorized(run("GET", "/mine", {{"x-user-id", "1"}}));
}

TEST_CASE_METHOD(Fixture, "bad tokens and bad headers are 401", "[unit][access]") {
  const int64_t now = services::unix_now();
  const std::string bad_headers[] = {
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer ",
      "Token " + token(7, "user"),
      "Bearer " + token(7, "user") + " extra",
      "Bearer not.a.token",
      "Bearer " + token(7, "user", now - 3600),  // expired (15 minute TTL)
      "Bearer " + token(7, "user", now + 3600),  // issued in the future
      "Bearer " + token(7, "superuser"),         // a role that does not exist
      "Bearer " + common::jwt::sign({7, "user", now, now + 900, "j"},
                                    "some-other-secret-some-other-secret"),
  };
  for (const std::string& h : bad_headers) {
    INFO(h);
    check_unauthorized(run("GET", "/mine", {{"authorization", h}}));
  }
  const auto expired =
      run("GET", "/mine", {{"authorization", "Bearer " + token(7, "user", now - 3600)}});
  CHECK(test_support::header_value(expired.response, "WWW-Authenticate") ==
        "Bearer error=\"invalid_token\"");
  CHECK(test_support::body_json(expired.response)["error"]["message"] ==
        "access token has expired");
}

TEST_CASE_METHOD(Fixture, "admin routes: 403 for users, 200 for admins, 401 for nobody",
                 "[unit][access]") {
  const auto as_user =
      run("POST", "/admin/things", {{"authorization", "Bearer " + token(7, "user")}});
  CHECK(as_user.response.status == 403);
  CHECK(test_support::body_json(as_user.response)["error"]["code"] == "FORBIDDEN");
  const auto as_admin =
      run("POST", "/admin/things", {{"authorization", "Bearer " + token(1, "admin")}});
  CHECK(as_admin.response.status == 200);
  CHECK(test_support::body_json(as_admin.response)["data"]["role"] == "admin");
  check_unauthorized(run("POST", "/admin/things"));
}

TEST_CASE_METHOD(Fixture, "public routes ignore the Authorization header", "[unit][access]") {
  CHECK(run("GET", "/public", {{"authorization", "Bearer garbage"}}).response.status == 200);
  CHECK(test_support::body_json(run("GET", "/public").response)["data"]["has_principal"] == false);
}

TEST_CASE_METHOD(Fixture, "without a secret nothing authenticates", "[unit][access]") {
  const std::string t = token(7, "user");
  config.jwt_secret.clear();
  check_unauthorized(run("GET", "/mine", {{"authorization", "Bearer " + t}}));
}

TEST_CASE("access tokens carry sub, role, iat, exp = iat + TTL and a random jti",
          "[unit][access]") {
  common::Config config;
  config.jwt_secret = kSecret;
  config.access_token_ttl_s = 600;
  const int64_t now = 1'800'000'000;
  const std::string a = services::issue_access_token(config, 9, "admin", 0, now);
  const std::string b = services::issue_access_token(config, 9, "admin", 0, now);
  CHECK(a != b);  // different jti
  const auto v = common::jwt::verify(a, kSecret, now);
  REQUIRE(v.ok());
  CHECK(v.claims.sub == 9);
  CHECK(v.claims.role == "admin");
  CHECK(v.claims.iat == now);
  CHECK(v.claims.exp == now + 600);
  CHECK(v.claims.jti.size() >= 16);
  CHECK(v.claims.jti != common::jwt::verify(b, kSecret, now).claims.jti);
}
