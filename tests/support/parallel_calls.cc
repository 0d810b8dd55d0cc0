#include "tests/support/parallel_calls.h"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "tests/support/db.h"

namespace test_support {

bool Outcome::client_error() const { return code && common::http_status(*code) < 500; }

Outcome outcome_of(const std::function<void()>& fn) {
  Outcome out;
  try {
    fn();
    out.ok = true;
  } catch (const common::AppError& e) {
    out.code = e.code();
    out.error = e.what();
    out.details = e.details();
  } catch (const std::exception& e) {
    out.error = e.what();
  } catch (...) {
    out.error = "unknown exception";
  }
  return out;
}

std::vector<Outcome> run_concurrently(int n, const std::function<void(int)>& fn) {
  std::vector<Outcome> outcomes(static_cast<size_t>(n));
  std::mutex mutex;
  std::condition_variable start;
  bool released = false;
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      {
        std::unique_lock lock(mutex);
        start.wait(lock, [&] { return released; });
      }
      outcomes[static_cast<size_t>(i)] = outcome_of([&] { fn(i); });
    });
  }
  {
    std::lock_guard lock(mutex);
    released = true;
  }
  start.notify_all();
  for (std::thread& t : threads) t.join();
  return outcomes;
}

std::vector<std::unique_ptr<common::pg::Connection>> thread_connections(int n) {
  std::vector<std::unique_ptr<common::pg::Connection>> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    out.push_back(std::make_unique<common::pg::Connection>(migrated_options()));
  }
  return out;
}

}  // namespace test_support
