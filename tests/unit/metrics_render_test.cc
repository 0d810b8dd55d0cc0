// /metrics rendering from the scoreboard: API.md's families, summed over slots.
#include <catch2/catch.hpp>

#include "workers/server/metrics.h"
#include "workers/server/status.h"

namespace sb = server::scoreboard;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

server::PoolView pool_view() {
  server::PoolView v;
  v.mode = "static";
  v.target = 2;
  v.min_workers = 1;
  v.max_workers = 8;
  v.listen_queue = 3;
  v.listen_backlog = 511;
  v.spawns = 5;
  v.timeouts = 1;
  server::WorkerRow idle, busy;
  idle.state = "idle";
  busy.state = "busy";
  v.workers = {idle, busy};
  return v;
}

}  // namespace

TEST_CASE("request counters are summed over every slot, by method, route and status",
          "[unit][metrics]") {
  sb::Scoreboard board(3);
  sb::SlotWriter a(board.slot(0)), b(board.slot(2));
  a.end_request("GET", "/api/v1/products/{id}", 200, 1000);
  a.end_request("GET", "/api/v1/products/{id}", 404, 1000);
  b.end_request("GET", "/api/v1/products/{id}", 200, 20000);
  const std::string text = server::render_metrics(board, pool_view());
  CHECK(has_line(
      text, R"(http_requests_total{method="GET",route="/api/v1/products/{id}",status="200"} 2)"));
  CHECK(has_line(
      text, R"(http_requests_total{method="GET",route="/api/v1/products/{id}",status="404"} 1)"));
  CHECK(has_line(text, "# TYPE http_requests_total counter"));
}

TEST_CASE("duration histograms are cumulative with +Inf, sum and count", "[unit][metrics]") {
  sb::Scoreboard board(2);
  sb::SlotWriter a(board.slot(0)), b(board.slot(1));
  a.end_request("GET", "/health", 200, 4000);    // 0.004 s
  b.end_request("GET", "/health", 200, 300000);  // 0.3 s
  a.end_statement(2000);
  const std::string text = server::render_metrics(board, pool_view());
  CHECK(has_line(text, R"(http_request_duration_seconds_bucket{route="/health",le="0.005"} 1)"));
  CHECK(has_line(text, R"(http_request_duration_seconds_bucket{route="/health",le="0.25"} 1)"));
  CHECK(has_line(text, R"(http_request_duration_seconds_bucket{route="/health",le="0.5"} 2)"));
  CHECK(has_line(text, R"(http_request_duration_seconds_bucket{route="/health",le="+Inf"} 2)"));
  CHECK(has_line(text, R"(http_request_duration_seconds_sum{route="/health"} 0.304000)"));
  CHECK(has_line(text, R"(http_request_duration_seconds_count{route="/health"} 2)"));
  CHECK(has_line(text, "# TYPE http_request_duration_seconds histogram"));
  CHECK(has_line(text, R"(db_query_duration_seconds_bucket{le="0.005"} 1)"));
  CHECK(has_line(text, "db_query_duration_seconds_count 1"));
}

TEST_CASE("cache, jobs and pool families are present", "[unit][metrics]") {
  sb::Scoreboard board(1);
  const std::string text = server::render_metrics(board, pool_view());
  CHECK(has_line(text, R"(cache_requests_total{result="hit"} 0)"));
  CHECK(has_line(text, R"(cache_requests_total{result="miss"} 0)"));
  CHECK(has_line(text, R"(cache_requests_total{result="error"} 0)"));
  CHECK(has_line(text, "# TYPE jobs_total counter"));
  CHECK(has_line(text, R"(worker_pool_workers{state="idle"} 1)"));
  CHECK(has_line(text, R"(worker_pool_workers{state="busy"} 1)"));
  CHECK(has_line(text, R"(worker_pool_workers{state="draining"} 0)"));
  CHECK(has_line(text, "worker_pool_listen_queue 3"));
  CHECK(has_line(text, "worker_pool_spawns_total 5"));
  CHECK(has_line(text, "worker_pool_timeouts_total 1"));
  CHECK(has_line(text, "worker_pool_max_workers 8"));
}

TEST_CASE("cache lookups are summed over every slot, by result", "[unit][metrics]") {
  sb::Scoreboard board(2);
  sb::SlotWriter a(board.slot(0)), b(board.slot(1));
  a.count_cache(sb::CacheResult::kHit);
  a.count_cache(sb::CacheResult::kHit);
  b.count_cache(sb::CacheResult::kHit);
  b.count_cache(sb::CacheResult::kMiss);
  a.count_cache(sb::CacheResult::kError);
  const std::string text = server::render_metrics(board, pool_view());
  CHECK(has_line(text, R"(cache_requests_total{result="hit"} 3)"));
  CHECK(has_line(text, R"(cache_requests_total{result="miss"} 1)"));
  CHECK(has_line(text, R"(cache_requests_total{result="error"} 1)"));
}

TEST_CASE("label values are escaped", "[unit][metrics]") {
  CHECK(server::escape_label(R"(a"b\c)") == R"(a\"b\\c)");
  CHECK(server::escape_label("x\ny") == "x\\ny");
}

TEST_CASE("made-up methods share the OTHER series, standard methods keep their own",
          "[unit][metrics]") {
  sb::Scoreboard board(1);
  sb::SlotWriter a(board.slot(0));
  for (const char* method : {"ZZQAA", "ZZQAB", "ZZQAC", "get", "PROPFIND", "BREW"}) {
    a.end_request(method, "/api/v1/products", 405, 1000);
  }
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    a.end_request(method, "/api/v1/products", 200, 1000);
  }
  const std::string text = server::render_metrics(board, pool_view());
  CHECK(has_line(text,
                 R"(http_requests_total{method="OTHER",route="/api/v1/products",status="405"} 6)"));
  for (const char* method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    INFO(method);
    CHECK(has_line(text, std::string(R"(http_requests_total{method=")") + method +
                             R"(",route="/api/v1/products",status="200"} 1)"));
  }
  for (const char* made_up : {"ZZQAA", "ZZQAB", "ZZQAC", "method=\"get\"", "PROPFIND", "BREW"}) {
    INFO(made_up);
    CHECK(text.find(made_up) == std::string::npos);
  }
}

TEST_CASE("job runs are summed over every slot by queue and result, with their durations",
          "[unit][metrics][jobs]") {
  sb::Scoreboard board(3);
  sb::SlotWriter a(board.slot(0)), b(board.slot(2));
  const int orders = sb::job_queue_index("orders");
  const int email = sb::job_queue_index("email");
  REQUIRE(orders >= 0);
  REQUIRE(email >= 0);
  a.begin_job("order.expire", 12);
  a.end_job(orders, sb::JobResult::kDone, 4000);
  b.end_job(orders, sb::JobResult::kDone, 300000);
  b.end_job(email, sb::JobResult::kRetry, 1000);
  b.end_job(email, sb::JobResult::kDead, 1000);
  server::PoolView view = pool_view();
  view.jobs.runners = 2;
  view.jobs.queued = {4, 1, 0};
  view.jobs.stock_drift_variants = 3;
  const std::string text = server::render_metrics(board, view);
  CHECK(has_line(text, R"(jobs_total{queue="orders",result="done"} 2)"));
  CHECK(has_line(text, R"(jobs_total{queue="orders",result="retry"} 0)"));
  CHECK(has_line(text, R"(jobs_total{queue="email",result="retry"} 1)"));
  CHECK(has_line(text, R"(jobs_total{queue="email",result="dead"} 1)"));
  CHECK(has_line(text, R"(jobs_total{queue="inventory",result="done"} 0)"));
  CHECK(has_line(text, R"(jobs_queued{queue="email"} 4)"));
  CHECK(has_line(text, R"(jobs_queued{queue="orders"} 1)"));
  CHECK(has_line(text, R"(job_duration_seconds_bucket{queue="orders",le="0.005"} 1)"));
  CHECK(has_line(text, R"(job_duration_seconds_bucket{queue="orders",le="+Inf"} 2)"));
  CHECK(has_line(text, R"(job_duration_seconds_count{queue="orders"} 2)"));
  CHECK(has_line(text, "# TYPE job_duration_seconds histogram"));
  CHECK(has_line(text, "stock_drift_variants 3"));
  // A job is never an HTTP request.
  CHECK(text.find("http_requests_total{method=\"OTHER\"") == std::string::npos);
  CHECK(text.find("JOB") == std::string::npos);
}

TEST_CASE("a replaced runner's job counts stay in its slot", "[unit][metrics][jobs]") {
  sb::Scoreboard board(1);
  {
    sb::SlotWriter first(board.slot(0));
    first.end_job(sb::job_queue_index("orders"), sb::JobResult::kDone, 1000);
  }
  board.release_slot(0);
  board.prepare_slot(0, 2, 1);
  sb::SlotWriter second(board.slot(0));
  second.end_job(sb::job_queue_index("orders"), sb::JobResult::kDone, 1000);
  server::PoolView view = pool_view();
  view.jobs.runners = 1;
  CHECK(has_line(server::render_metrics(board, view),
                 R"(jobs_total{queue="orders",result="done"} 2)"));
}

TEST_CASE("without job runners and runs there are no job series", "[unit][metrics][jobs]") {
  sb::Scoreboard board(1);
  const std::string text = server::render_metrics(board, pool_view());
  CHECK(has_line(text, "# TYPE jobs_total counter"));
  CHECK(text.find("jobs_total{") == std::string::npos);
  CHECK(has_line(text, "stock_drift_variants 0"));
}

TEST_CASE("job runners are not counted as workers", "[unit][metrics][jobs]") {
  sb::Scoreboard board(1);
  server::PoolView view = pool_view();
  server::WorkerRow runner;
  runner.role = "job-runner";
  runner.state = "busy";
  view.workers.push_back(runner);
  view.jobs.runners = 1;
  const std::string text = server::render_metrics(board, view);
  CHECK(has_line(text, R"(worker_pool_workers{state="busy"} 1)"));
  const Json::Value status = server::status_data(view, true);
  CHECK(status["workers"] == 2);
  CHECK(status["busy"] == 1);
  CHECK(status["jobs"]["runners"] == 1);
  CHECK(status["processes"].size() == 3);
  CHECK(status["processes"][2]["role"] == "job-runner");
}
