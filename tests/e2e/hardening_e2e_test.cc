// Black-box checks of input and local-access hardening against the shared
// e2e stack: NUL and repeated names in bodies, made-up methods in /metrics,
// the modes of the local sockets and the local cluster's authentication.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/support/api_session.h"
#include "tests/support/e2e_auth.h"
#include "tests/support/factories.h"
#include "tests/support/http_client.h"

using test_support::send_json;

namespace {

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a NUL in a string field or in attributes is a 400 naming the field",
          "[e2e][admin][hardening]") {
  const auto admin = test_support::admin_session();
  const std::string sku = "E2E-NUL-" + test_support::unique_suffix();
  const auto title =
      send_json("POST", "/api/v1/admin/products",
                R"({"sku": ")" + sku + R"(", "title": "a\u0000b"})", admin.access_token);
  CHECK(title.status == 400);
  CHECK(title.json()["error"]["code"] == "VALIDATION_ERROR");
  CHECK(title.json()["error"]["details"].isMember("title"));

  const auto attributes = send_json(
      "POST", "/api/v1/admin/products/1/variants",
      R"({"sku": ")" + sku + R"(-V", "price_cents": 100, "attributes": {"color": "a\u0000b"}})",
      admin.access_token);
  CHECK(attributes.status == 400);
  CHECK(attributes.json()["error"]["code"] == "VALIDATION_ERROR");
  CHECK(attributes.json()["error"]["details"].isMember("attributes.color"));
}

TEST_CASE("a body that repeats a name is 400 INVALID_JSON", "[e2e][admin][hardening]") {
  const auto admin = test_support::admin_session();
  const std::string name = "E2E-DUP-" + test_support::unique_suffix();
  for (const std::string& body : {R"({"name": ")" + name + R"(", "name": ")" + name + R"(-2"})",
                                  R"({"name": ")" + name + R"(", "x": {"a": 1, "a": 2}})"}) {
    INFO(body);
    const auto r = send_json("POST", "/api/v1/admin/categories", body, admin.access_token);
    CHECK(r.status == 400);
    CHECK(r.json()["error"]["code"] == "INVALID_JSON");
  }
}

TEST_CASE("made-up methods grow no /metrics series", "[e2e][metrics][hardening]") {
  for (const char* method : {"ZZQAA", "ZZQAB", "ZZQAC"}) {
    test_support::HttpRequest request;
    request.method = method;
    request.path = "/api/v1/products";
    const auto r = test_support::http(request);
    CHECK(r.status >= 400);
  }
  const auto metrics = test_support::http_get("/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.body.find("ZZQA") == std::string::npos);
  CHECK(metrics.body.find(R"(method="OTHER")") != std::string::npos);
}

TEST_CASE("the local sockets are private to the service", "[e2e][hardening]") {
  const std::string run = test_support::e2e_state_dir() + "/run";
  CHECK(mode_of(run) == 0750);
  CHECK(mode_of(run + "/fcgi.sock") == 0660);
  CHECK(mode_of(run + "/status.sock") == 0660);
  CHECK(mode_of(run + "/ctl.sock") == 0600);
}

TEST_CASE("the local cluster refuses a connection without the password", "[e2e][hardening]") {
  const std::string url = test_support::e2e_database_url();
  CHECK(url.find("passfile=") != std::string::npos);
  // The URL with its password file works; the same without it is refused.
  CHECK(test_support::shell("psql -X -w -Atqc 'SELECT 1' '" + url + "' >/dev/null 2>&1") == 0);
  const std::string bare = url.substr(0, url.find("&passfile="));
  CHECK(test_support::shell("PGPASSFILE=/nonexistent psql -X -w -Atqc 'SELECT 1' '" + bare +
                            "' >/dev/null 2>&1") != 0);
}
