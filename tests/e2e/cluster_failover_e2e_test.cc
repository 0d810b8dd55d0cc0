// A pool host lost under load: nginx's passive health check and
// fastcgi_next_upstream keep every GET answered by the other pool, while a
// POST that was in flight on the lost host answers 502 in the envelope and is
// never sent twice. The host is started again before the test ends.
#include <signal.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/cluster_client.h"

using cluster_test::Reply;
using Clock = std::chrono::steady_clock;

namespace {

struct Read {
  Clock::time_point started;
  Clock::time_point ended;
  long status;
  std::string body;
};

// The process group of the pool on `host` (scripts/cluster.sh writes it).
pid_t pool_group(const std::string& host) {
  std::ifstream in(cluster_test::cluster_dir() + "/" + host + "/run/server.pgid");
  pid_t pgid = 0;
  in >> pgid;
  return pgid;
}

double ms_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

TEST_CASE("app1 killed under a read load: every GET answered, in-flight POSTs 502",
          "[cluster][e2e][failover]") {
  const pid_t app1 = pool_group("app1");
  REQUIRE(app1 > 1);
  REQUIRE(cluster_test::request("GET", "/api/v1/products/1").status == 200);

  std::atomic<bool> stop{false};
  std::mutex m;
  std::vector<Read> reads;
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        Read r;
        r.started = Clock::now();
        const Reply reply =
            cluster_test::request_nothrow("GET", "/api/v1/products/1", Json::Value(), "", {}, 40);
        r.ended = Clock::now();
        r.status = reply.status;
        r.body = reply.body.substr(0, 200);
        std::lock_guard lock(m);
        reads.push_back(std::move(r));
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(800));

  // Frozen first, so that requests are surely in flight on it when it dies:
  // the kernel still queues connections for a stopped process.
  REQUIRE(::kill(-app1, SIGSTOP) == 0);
  std::vector<Reply> posts(6);
  std::vector<std::thread> posters;
  Json::Value logout;
  logout["refresh_token"] = "not-a-real-refresh-token";
  for (size_t i = 0; i < posts.size(); ++i) {
    posters.emplace_back([&, i] {
      posts[i] = cluster_test::request_nothrow("POST", "/api/v1/auth/logout", logout, "", {}, 40);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  const Clock::time_point killed = Clock::now();
  REQUIRE(cluster_test::cluster("kill app1") == 0);
  for (auto& t : posters) t.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& t : readers) t.join();

  int failed = 0;
  int failed_after_kill = 0;
  double last_failure_ms = 0;
  for (const Read& r : reads) {
    if (r.status == 200) continue;
    ++failed;
    UNSCOPED_INFO("failed GET: " << r.status << " " << r.body);
    if (r.started >= killed) {
      ++failed_after_kill;
      last_failure_ms = std::max(last_failure_ms, ms_between(killed, r.started));
    }
  }
  int posts_502 = 0;
  for (const Reply& p : posts) {
    INFO("POST answered " << p.status << " " << p.body);
    CHECK((p.status == 204 || p.status == 502));
    if (p.status == 502) {
      ++posts_502;
      const Json::Value body = p.json();
      CHECK(body["success"].asBool() == false);
      CHECK(body["error"]["code"].asString() == "UNAVAILABLE");
      CHECK_FALSE(body["request_id"].asString().empty());
    }
  }
  std::cerr << "[cluster] app1 killed: " << reads.size() << " GETs, " << failed << " failed ("
            << failed_after_kill << " started after the kill, the last " << last_failure_ms
            << " ms after it); " << posts.size() << " POSTs in flight, " << posts_502
            << " answered 502\n";
  CHECK(reads.size() > 20);
  CHECK(failed == 0);
  CHECK(failed_after_kill == 0);
  CHECK(posts_502 >= 1);

  // Back for the tests that follow, which expect both pools: nginx tries app1
  // again once POOL_FAIL_TIMEOUT_S has passed.
  REQUIRE(cluster_test::cluster("start app1") == 0);
  const int served = cluster_test::logged_requests("app1", "GET", "/api/v1/products/{id}");
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(20);
  while (cluster_test::logged_requests("app1", "GET", "/api/v1/products/{id}") == served &&
         Clock::now() < deadline) {
    CHECK(cluster_test::request("GET", "/api/v1/products/1").status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK(cluster_test::logged_requests("app1", "GET", "/api/v1/products/{id}") > served);
}
