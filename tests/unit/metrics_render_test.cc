// /metrics rendering from the scoreboard: API.md's families, summed over slots.
#include <catch2/catch.hpp>

#include "workers/server/metrics.h"

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
