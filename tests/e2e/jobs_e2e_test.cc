// The job queue over HTTP through nginx and the pool (API.md "Background jobs
// and notifications"): the admin job routes (list, filters, detail, retry,
// 403/400/404/409), /status's jobs fields and the job-runner rows, and an
// unpaid order expired by the stack's own job runner, seen in the order's
// events and in /metrics.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "tests/support/api_session.h"
#include "tests/support/e2e_auth.h"
#include "tests/support/factories.h"
#include "tests/support/http_client.h"
#include "tests/support/pool_stack.h"

using namespace std::chrono_literals;
using test_support::api;
using test_support::eventually;
using test_support::HttpResponse;
using test_support::query_value;
using test_support::Session;

namespace {

void check_error(const HttpResponse& r, long status, const char* code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.json()["error"]["code"] == code);
}

// A job of a kind no runner has a handler for: the stack's runner buries it
// at its first run. Inserted straight into the e2e database (no NOTIFY: the
// runner finds it at its next poll).
int64_t insert_unknown_job(const std::string& kind) {
  const std::string id =
      query_value(test_support::e2e_database_url(),
                  "INSERT INTO jobs (queue, kind, max_attempts, payload) VALUES ('orders', '" +
                      kind + "', 3, '{\"probe\": true}') RETURNING id");
  REQUIRE_FALSE(id.empty());
  return std::stoll(id);
}

Json::Value job(const Session& admin, int64_t id) {
  const HttpResponse r = api(admin, "GET", "/api/v1/admin/jobs/" + std::to_string(id));
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json()["data"];
}

bool listed(const Json::Value& page, int64_t id) {
  for (const Json::Value& item : page["items"]) {
    if (item["id"].asInt64() == id) return true;
  }
  return false;
}

double metric(const std::string& series) {
  const auto m = test_support::get(test_support::base_url(), "/metrics");
  return m.status == 200 ? test_support::metric_value(m.body, series) : -1;
}

}  // namespace

TEST_CASE("admin job routes: 401 without a token, 403 for a user, 400 for bad queries",
          "[e2e][jobs]") {
  const Session user = test_support::new_user_session();
  const Session admin = test_support::admin_session();
  check_error(test_support::send_json("GET", "/api/v1/admin/jobs", ""), 401, "UNAUTHORIZED");
  check_error(api(user, "GET", "/api/v1/admin/jobs"), 403, "FORBIDDEN");
  check_error(api(user, "GET", "/api/v1/admin/jobs/1"), 403, "FORBIDDEN");
  check_error(api(user, "POST", "/api/v1/admin/jobs/1/retry"), 403, "FORBIDDEN");
  for (const char* query : {"limit=0", "limit=101", "limit=x", "after=0", "after=-3",
                            "state=sleeping", "queue=sms", "state=DEAD"}) {
    const HttpResponse r = api(admin, "GET", std::string("/api/v1/admin/jobs?") + query);
    INFO(query);
    check_error(r, 400, "VALIDATION_ERROR");
    CHECK(r.json()["error"]["details"].size() == 1);
  }
  check_error(api(admin, "GET", "/api/v1/admin/jobs/999999999"), 404, "NOT_FOUND");
  check_error(api(admin, "POST", "/api/v1/admin/jobs/999999999/retry"), 404, "NOT_FOUND");
  check_error(api(admin, "GET", "/api/v1/admin/jobs/abc"), 404, "NOT_FOUND");
}

TEST_CASE("a dead job is listed, shown with its payload, retried, and dies again", "[e2e][jobs]") {
  const Session admin = test_support::admin_session();
  const std::string kind = "e2e.unknown-" + test_support::unique_suffix();
  const int64_t id = insert_unknown_job(kind);
  REQUIRE(eventually([&] { return job(admin, id)["state"] == "dead"; }, 20s));

  const Json::Value dead = job(admin, id);
  CHECK(dead["kind"] == kind);
  CHECK(dead["queue"] == "orders");
  CHECK(dead["attempts"] == 1);
  CHECK(dead["max_attempts"] == 3);
  CHECK(dead["payload"]["probe"] == true);
  CHECK(dead["result"].isNull());
  CHECK(dead["last_error"].asString().find("no handler for kind") != std::string::npos);

  const Json::Value dead_page =
      api(admin, "GET", "/api/v1/admin/jobs?state=dead&queue=orders&limit=100").json()["data"];
  CHECK(listed(dead_page, id));
  for (const Json::Value& item : dead_page["items"]) {
    CHECK(item["state"] == "dead");
    CHECK(item["queue"] == "orders");
    CHECK_FALSE(item.isMember("payload"));
  }
  CHECK_FALSE(
      listed(api(admin, "GET", "/api/v1/admin/jobs?state=queued&limit=100").json()["data"], id));
  CHECK_FALSE(
      listed(api(admin, "GET", "/api/v1/admin/jobs?queue=email&limit=100").json()["data"], id));

  // Newest first, in keyset pages that never repeat an item.
  const Json::Value first = api(admin, "GET", "/api/v1/admin/jobs?limit=1").json()["data"];
  REQUIRE(first["items"].size() == 1);
  CHECK(first["items"][0]["id"].asInt64() >= id);
  if (first["pagination"]["has_more"].asBool()) {
    const Json::Value second =
        api(admin, "GET",
            "/api/v1/admin/jobs?limit=1&after=" + first["pagination"]["cursor"].asString())
            .json()["data"];
    REQUIRE(second["items"].size() == 1);
    CHECK(second["items"][0]["id"].asInt64() < first["items"][0]["id"].asInt64());
  }

  const HttpResponse retried =
      api(admin, "POST", "/api/v1/admin/jobs/" + std::to_string(id) + "/retry");
  INFO(retried.body);
  REQUIRE(retried.status == 200);
  CHECK(retried.json()["data"]["state"] == "queued");
  CHECK(retried.json()["data"]["attempts"] == 0);
  // The runner, woken by the retry, runs it again: it dies again after one more attempt.
  CHECK(eventually(
      [&] {
        const Json::Value j = job(admin, id);
        return j["state"] == "dead" && j["attempts"] == 1 && j["updated_at"] != dead["updated_at"];
      },
      20s));
}

TEST_CASE("retrying a job that is not dead is 409 INVALID_STATE", "[e2e][jobs]") {
  const Session admin = test_support::admin_session();
  const Session buyer = test_support::new_user_session();
  const auto variant = test_support::api_make_variant(admin, 5, 1500);
  Json::Value item(Json::objectValue);
  item["variant_id"] = static_cast<Json::Int64>(variant.variant_id);
  item["quantity"] = 1;
  REQUIRE(api(buyer, "POST", "/api/v1/carts/me/items", item).status == 201);
  const HttpResponse checkout = api(buyer, "POST", "/api/v1/orders/checkout");
  REQUIRE(checkout.status == 201);
  const std::string order_id = checkout.json()["data"]["order_id"].asString();
  // The order's expiry waits ORDER_PAYMENT_TTL_S: queued for a long while.
  const std::string expiry =
      query_value(test_support::e2e_database_url(),
                  "SELECT id FROM jobs WHERE dedupe_key = 'order.expire:" + order_id +
                      "' AND state = 'queued'");
  REQUIRE_FALSE(expiry.empty());
  const HttpResponse r = api(admin, "POST", "/api/v1/admin/jobs/" + expiry + "/retry");
  check_error(r, 409, "INVALID_STATE");
  CHECK(r.json()["error"]["details"]["state"] == "queued");
}

TEST_CASE("/status has the jobs fields and lists the job runner with its role", "[e2e][jobs]") {
  const auto r = test_support::get(test_support::base_url(), "/status?full");
  REQUIRE(r.status == 200);
  const Json::Value d = r.json()["data"];
  REQUIRE(d["jobs"].isObject());
  for (const char* field : {"runners", "queued", "running", "dead"}) {
    INFO(field);
    CHECK(d["jobs"][field].isIntegral());
    CHECK(d["jobs"][field].asInt64() >= 0);
  }
  CHECK(d["jobs"]["runners"] == 1);  // JOB_RUNNERS default
  int runners = 0, workers = 0;
  for (const Json::Value& p : d["processes"]) {
    runners += p["role"] == "job-runner";
    workers += p["role"] == "worker";
  }
  CHECK(runners == 1);
  CHECK(workers == d["workers"].asInt());
}

TEST_CASE("the stack's job runner expires an unpaid order: system event, units back, metrics",
          "[e2e][jobs]") {
  const Session admin = test_support::admin_session();
  const Session buyer = test_support::new_user_session();
  const auto variant = test_support::api_make_variant(admin, 5, 1500);
  const std::string done_series = R"(jobs_total{queue="orders",result="done"})";
  const double done_before = std::max(0.0, metric(done_series));

  Json::Value item(Json::objectValue);
  item["variant_id"] = static_cast<Json::Int64>(variant.variant_id);
  item["quantity"] = 2;
  REQUIRE(api(buyer, "POST", "/api/v1/carts/me/items", item).status == 201);
  const HttpResponse checkout = api(buyer, "POST", "/api/v1/orders/checkout");
  REQUIRE(checkout.status == 201);
  const std::string order_id = checkout.json()["data"]["order_id"].asString();
  CHECK(test_support::catalogue_variant(variant.product_id, variant.variant_id)["available"] == 3);

  // Its payment time is up now (instead of ORDER_PAYMENT_TTL_S later); the
  // NOTIFY wakes the runner at once.
  query_value(test_support::e2e_database_url(),
              "WITH due AS (UPDATE jobs SET run_at = now() WHERE dedupe_key = 'order.expire:" +
                  order_id + "' RETURNING queue) SELECT pg_notify('jobs', queue) FROM due");
  Json::Value order;
  REQUIRE(eventually(
      [&] {
        order = api(buyer, "GET", "/api/v1/orders/" + order_id).json()["data"];
        return order["status"] == "cancelled";
      },
      20s));
  const Json::Value& last = order["events"][order["events"].size() - 1];
  CHECK(last["to_status"] == "cancelled");
  CHECK(last["actor"] == "system");
  CHECK(last["reason"] == "payment_timeout");
  // Units back, and the catalogue (cache invalidated) says so at once.
  CHECK(test_support::catalogue_variant(variant.product_id, variant.variant_id)["available"] == 5);
  // Paying now is too late.
  Json::Value payment(Json::objectValue);
  payment["payment_reference"] = "late";
  check_error(api(buyer, "POST", "/api/v1/orders/" + order_id + "/pay", payment), 409,
              "INVALID_STATE");

  CHECK(eventually([&] { return metric(done_series) >= done_before + 1; }, 5s));
  const auto m = test_support::get(test_support::base_url(), "/metrics");
  CHECK(m.body.find("# TYPE job_duration_seconds histogram") != std::string::npos);
  CHECK(test_support::metric_value(m.body, R"(job_duration_seconds_count{queue="orders"})") >= 1);
  CHECK(test_support::metric_value(m.body, R"(jobs_queued{queue="orders"})") >= 0);
  CHECK(test_support::metric_value(m.body, "stock_drift_variants") >= 0);
}
