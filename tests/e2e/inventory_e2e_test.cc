// POST /api/v1/admin/inventory/sync through nginx and the pool (API.md
// "Background jobs and notifications"): admins only, every bad item named,
// and a valid body queued as an inventory.sync job. The skus are ones no
// variant has, so a runner that takes the job changes no stock.
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "tests/support/api_session.h"
#include "tests/support/e2e_auth.h"
#include "tests/support/factories.h"
#include "tests/support/http_client.h"

using test_support::send_json;

namespace {

namespace pg = common::pg;

constexpr const char* kPath = "/api/v1/admin/inventory/sync";

const pg::Statement kJob{"test.inventory_e2e.job", pg::Role::kTest, pg::Effect::kRead,
                         "SELECT queue, kind, payload::text, max_attempts FROM jobs WHERE id = $1"};

void check_error(const test_support::HttpResponse& r, long status, const char* code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.json()["error"]["code"] == code);
}

std::string unknown_sku(const char* tag) {
  return std::string("E2E-INV-") + tag + "-" + test_support::unique_suffix();
}

}  // namespace

TEST_CASE("inventory sync: 401 without a token, 403 for a user", "[e2e][inventory]") {
  const std::string body =
      R"({"items": [{"sku": ")" + unknown_sku("AUTH") + R"(", "on_hand": 1}]})";
  const auto anonymous = send_json("POST", kPath, body);
  check_error(anonymous, 401, "UNAUTHORIZED");
  CHECK(anonymous.header("www-authenticate").rfind("Bearer", 0) == 0);
  const auto user = test_support::new_user_session();
  check_error(send_json("POST", kPath, body, user.access_token), 403, "FORBIDDEN");
}

TEST_CASE("inventory sync: bad bodies are 400 naming each bad item", "[e2e][inventory]") {
  const auto admin = test_support::admin_session();
  const std::string& token = admin.access_token;
  check_error(send_json("POST", kPath, "{not json", token), 400, "INVALID_JSON");
  check_error(send_json("POST", kPath, "[]", token), 400, "INVALID_JSON");

  const auto empty = send_json("POST", kPath, R"({"items": []})", token);
  check_error(empty, 400, "VALIDATION_ERROR");
  CHECK(empty.json()["error"]["details"].isMember("items"));

  const auto bad = send_json("POST", kPath, R"({"items": [
      {"sku": "OK-1", "on_hand": 1},
      {"sku": "has space", "on_hand": 2},
      {"sku": "OK-2", "on_hand": -1},
      {"sku": "OK-3", "on_hand": "7"},
      {"on_hand": 1},
      "not an item",
      {"sku": "OK-1", "on_hand": 3}], "source": "no/slash"})",
                             token);
  check_error(bad, 400, "VALIDATION_ERROR");
  const Json::Value details = bad.json()["error"]["details"];
  INFO(common::json::write(details));
  for (const char* field : {"items[1].sku", "items[2].on_hand", "items[3].on_hand", "items[4].sku",
                            "items[5]", "items[6].sku", "source"}) {
    CHECK(details.isMember(field));
  }
  CHECK(details.size() == 7);
  CHECK(details["items[6].sku"] == "repeats items[0].sku");
}

TEST_CASE("inventory sync: a valid body is queued as an inventory.sync job, 202 {job_id}",
          "[e2e][inventory]") {
  const auto admin = test_support::admin_session();
  const std::string a = unknown_sku("A"), b = unknown_sku("B");
  const auto r = send_json("POST", kPath,
                           R"({"items": [{"sku": ")" + a + R"(", "on_hand": 5}, {"sku": ")" + b +
                               R"(", "on_hand": 0}], "source": "wms-e2e"})",
                           admin.access_token);
  INFO(r.body);
  REQUIRE(r.status == 202);
  const Json::Value data = r.json()["data"];
  REQUIRE(data["job_id"].isInt64());
  CHECK(data["job_id"].asInt64() > 0);

  const auto defaulted = send_json(
      "POST", kPath, R"({"items": [{"sku": ")" + a + R"(", "on_hand": 1}]})", admin.access_token);
  REQUIRE(defaulted.status == 202);

  pg::Connection db(test_support::e2e_db_options());
  const pg::Result job = db.exec(kJob, {std::to_string(data["job_id"].asInt64())});
  REQUIRE(job.rows() == 1);
  CHECK(job.str(0, 0) == "inventory");
  CHECK(job.str(0, 1) == "inventory.sync");
  CHECK(common::json::parse_trusted(job.str(0, 2)) ==
        common::json::parse_trusted(R"({"items": [{"sku": ")" + a + R"(", "on_hand": 5},
                                                  {"sku": ")" +
                                    b + R"(", "on_hand": 0}],
                                       "source": "wms-e2e"})"));
  CHECK(job.int64(0, 3) == 8);

  const pg::Result second =
      db.exec(kJob, {std::to_string(defaulted.json()["data"]["job_id"].asInt64())});
  REQUIRE(second.rows() == 1);
  CHECK(common::json::parse_trusted(second.str(0, 2))["source"] == "api");
}
