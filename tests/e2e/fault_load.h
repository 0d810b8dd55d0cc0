// Load for the fault suite (fault_*_e2e_test.cc), against any stack's base URL
// (an OwnStack or the shared e2e stack), loopback only and bounded in time:
//   - TimedGets: GETs whose every answer is kept with the moment it arrived,
//     so that a test can say what failed when and how soon the service recovered;
//   - CheckoutLoad: buyers, one per thread, that add a unit to their cart and
//     check out in a loop, retrying a failed checkout with the same
//     Idempotency-Key (as a client should), and that tally what the service
//     acknowledged, for order_violations() to compare with the database.
// Nothing here asserts in its threads: the test reads the tallies afterwards.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fault {

using Clock = std::chrono::steady_clock;

// A registered user of the stack at base_url, logged in there.
struct Buyer {
  int64_t user_id = 0;
  std::string access_token;
};
// Registers a user with a unique email on base_url and logs in (REQUIREs both).
Buyer register_buyer(const std::string& base_url);

struct TimedAnswer {
  int64_t at_ms = 0;  // since the load started
  long status = 0;    // 0: no HTTP answer (curl error)
  std::string code;   // the envelope's error.code, when there is one
};

// GETs base_url + path on `threads` threads, a new connection each, until
// stop() or max_duration.
class TimedGets {
 public:
  TimedGets(std::string base_url, std::string path, int threads, std::chrono::seconds max_duration);
  ~TimedGets();  // stops and joins
  TimedGets(const TimedGets&) = delete;
  TimedGets& operator=(const TimedGets&) = delete;

  void stop();                               // and joins
  int64_t now_ms() const;                    // on the answers' clock
  std::vector<TimedAnswer> answers() const;  // in time order; call after stop()

 private:
  Clock::time_point start_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::vector<TimedAnswer> answers_;
};

// What one buyer did and what the service acknowledged.
struct BuyerTally {
  int64_t user_id = 0;
  int units_tried = 0;                // POST cart item sent (1 unit each)
  int units_acked = 0;                // ... and answered 201
  std::vector<int64_t> orders_acked;  // checkouts answered 201
  int checkout_retries = 0;           // checkouts sent again after a failure
  int recovered = 0;                  // checkouts that succeeded on a retry
};

class CheckoutLoad {
 public:
  // One thread per buyer, each ordering `variant_id` until stop() or max_duration.
  CheckoutLoad(std::string base_url, const std::vector<Buyer>& buyers, int64_t variant_id,
               std::chrono::seconds max_duration);
  ~CheckoutLoad();  // stops and joins
  CheckoutLoad(const CheckoutLoad&) = delete;
  CheckoutLoad& operator=(const CheckoutLoad&) = delete;

  void stop();  // and joins; a checkout being retried is finished first (bounded)
  int sent() const { return sent_.load(); }
  std::map<long, int> statuses() const;     // status -> count; 0 counts curl errors
  int failures() const;                     // no answer or 5xx
  int refusals() const;                     // 4xx
  std::vector<std::string> errors() const;  // up to 10 descriptions of failures and refusals
  std::vector<BuyerTally> tallies() const;  // after stop()

 private:
  void run(size_t index, const Buyer& buyer);

  std::string base_url_;
  int64_t variant_id_;
  Clock::time_point deadline_;
  std::atomic<bool> stop_{false};
  std::atomic<int> sent_{0};
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::map<long, int> statuses_;
  std::vector<std::string> errors_;
  std::vector<BuyerTally> tallies_;
};

// What the database says about the buyers' work, one line per problem:
//   - an order without items (anywhere in the database);
//   - an order answered 201 that is not the buyer's in the database;
//   - a buyer whose units in cart + orders are fewer than the adds answered 201
//     (a lost cart line) or more than the adds sent.
std::vector<std::string> order_violations(const std::string& database_url,
                                          const std::vector<BuyerTally>& tallies);

// "201: 812, 502: 3" for the log.
std::string describe(const std::map<long, int>& statuses);

}  // namespace fault
