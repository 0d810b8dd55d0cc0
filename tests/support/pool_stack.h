// Support for the pool's end-to-end tests:
//   - OwnStack: a whole stack (the pool + nginx, via scripts/stack.sh) with its
//     own settings, in a temporary STATE_DIR on a free port, using the e2e
//     cluster's database; taken down (and its directory removed) by the
//     destructor, pass or fail. For tests that need their own pool settings or
//     that kill the master, so the shared e2e stack is never disturbed.
//   - Load: a bounded load generator (threads + libcurl keep-alive), loopback
//     only, that records every answer instead of asserting in its threads.
//   - small helpers: GET without Catch2 assertions, /status, metrics samples,
//     process checks, a query on the e2e database.
#pragma once

#include <json/value.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace test_support {

struct Answer {
  long status = 0;  // 0: the request failed below HTTP (curl error)
  std::string body;
  std::string error;  // curl's message when status is 0
  Json::Value json() const;
};

// One GET of base_url + path with a fresh connection; never asserts.
Answer get(const std::string& base_url, const std::string& path, long timeout_s = 30);

class OwnStack {
 public:
  // Starts the stack with `env` added to the environment (e.g. MAX_REQUESTS).
  // ENABLE_TEST_ROUTES=1 is always set; JOB_RUNNERS is 0 unless `env` sets it
  // (its processes are then workers only). REQUIREs that `stack.sh up` succeeded.
  // TEST_KEEP set in the environment keeps the directory (logs) afterwards.
  explicit OwnStack(const std::map<std::string, std::string>& env);
  ~OwnStack();
  OwnStack(const OwnStack&) = delete;
  OwnStack& operator=(const OwnStack&) = delete;

  const std::string& base_url() const { return base_url_; }
  const std::string& state_dir() const { return state_dir_; }
  // The pid in $STATE_DIR/run/server.pid (0 when unreadable).
  pid_t master_pid() const;
  Answer get(const std::string& path) const { return test_support::get(base_url_, path); }
  // The data object of /status?full (null when it did not answer 200).
  Json::Value status() const;

 private:
  void start(const std::map<std::string, std::string>& env);
  void teardown();

  std::string state_dir_;
  std::string base_url_;
  std::string env_prefix_;  // "K='v' ..." for the scripts
};

// (The e2e database's URL is test_support::e2e_database_url(), api_session.h.)

// Runs one SQL query on `url` and returns the first column of the first row
// ("" when there is none or the query failed).
std::string query_value(const std::string& url, const std::string& sql);

// The value of one sample of a Prometheus text body (`series` is the whole
// name with labels, e.g. http_requests_total{method="GET",...}); -1 when absent.
double metric_value(const std::string& metrics_body, const std::string& series);

// True while `pid` exists and is not a zombie.
bool process_alive(pid_t pid);

// Polls `done` every 50 ms until it is true or `timeout` passes; returns its last value.
template <class Fn>
bool eventually(Fn done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// GETs base_url + path on `threads` keep-alive connections until stop() or
// until `max_requests` were sent in all; bounded by `max_duration` anyway.
class Load {
 public:
  Load(std::string base_url, std::string path, int threads, int max_requests,
       std::chrono::seconds max_duration);
  ~Load();  // stops and joins
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  void stop();
  void wait();  // joins (after max_requests or max_duration, or stop())
  int sent() const { return sent_.load(); }
  // Status code -> count; 0 counts transport failures.
  std::map<long, int> statuses() const;
  int failures() const;                     // anything but 200
  std::vector<std::string> errors() const;  // up to 10 descriptions of failures

 private:
  void run();

  std::string url_;
  int max_requests_;
  std::chrono::steady_clock::time_point deadline_;
  std::atomic<bool> stop_{false};
  std::atomic<int> sent_{0};
  std::vector<std::thread> threads_;
  mutable std::vector<std::map<long, int>> per_thread_;
  std::vector<std::vector<std::string>> errors_;
};

}  // namespace test_support
