#include "tests/e2e/fault_load.h"

#include <curl/curl.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <sstream>

#include "common/json.h"
#include "tests/support/factories.h"
#include "tests/support/pool_stack.h"

namespace fault {

namespace {

using CurlPtr = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

// curl_global_init is not thread-safe: the constructors call this before
// their threads start.
void ensure_curl() {
  static const bool done = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)done;
}

CurlPtr new_handle() {
  ensure_curl();
  return CurlPtr(curl_easy_init(), &curl_easy_cleanup);
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

struct Reply {
  long status = 0;
  std::string body;
  Json::Value json() const {
    try {
      return common::json::parse_trusted(body);
    } catch (...) {
      return Json::Value();
    }
  }
};

// One JSON request on `curl` (kept alive between calls); never asserts.
Reply send(CURL* curl, const std::string& url, const std::string& method, const std::string& token,
           const Json::Value& body, const std::vector<std::string>& extra_headers = {}) {
  Reply r;
  const std::string payload = body.isNull() ? std::string() : common::json::write(body);
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  if (!token.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + token).c_str());
  for (const std::string& h : extra_headers) list = curl_slist_append(list, h.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> guard(list, &curl_slist_free_all);
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    r.body = curl_easy_strerror(rc);
    return r;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

bool failed(long status) { return status == 0 || status >= 500; }

}  // namespace

Buyer register_buyer(const std::string& base_url) {
  CurlPtr curl = new_handle();
  Json::Value credentials(Json::objectValue);
  credentials["email"] = "fault-" + test_support::unique_suffix() + "@example.test";
  credentials["password"] = "fault-suite-password";
  const Reply reg = send(curl.get(), base_url + "/api/v1/auth/register", "POST", "", credentials);
  INFO(reg.body);
  REQUIRE(reg.status == 201);
  const Reply login = send(curl.get(), base_url + "/api/v1/auth/login", "POST", "", credentials);
  INFO(login.body);
  REQUIRE(login.status == 200);
  return Buyer{reg.json()["data"]["user_id"].asInt64(),
               login.json()["data"]["access_token"].asString()};
}

// --- TimedGets ----------------------------------------------------------------------

TimedGets::TimedGets(std::string base_url, std::string path, int threads,
                     std::chrono::seconds max_duration)
    : start_(Clock::now()) {
  ensure_curl();
  const auto deadline = start_ + max_duration;
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, base_url, path, deadline] {
      while (!stop_.load() && Clock::now() < deadline) {
        const test_support::Answer a = test_support::get(base_url, path, 10);
        TimedAnswer t{now_ms(), a.status, ""};
        if (a.status != 200) t.code = a.json()["error"]["code"].asString();
        const std::lock_guard<std::mutex> lock(mutex_);
        answers_.push_back(std::move(t));
      }
    });
  }
}

TimedGets::~TimedGets() { stop(); }

void TimedGets::stop() {
  stop_.store(true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

int64_t TimedGets::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
}

std::vector<TimedAnswer> TimedGets::answers() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  std::vector<TimedAnswer> out = answers_;
  std::stable_sort(out.begin(), out.end(),
                   [](const TimedAnswer& a, const TimedAnswer& b) { return a.at_ms < b.at_ms; });
  return out;
}

// --- CheckoutLoad -------------------------------------------------------------------

CheckoutLoad::CheckoutLoad(std::string base_url, const std::vector<Buyer>& buyers,
                           int64_t variant_id, std::chrono::seconds max_duration)
    : base_url_(std::move(base_url)),
      variant_id_(variant_id),
      deadline_(Clock::now() + max_duration),
      tallies_(buyers.size()) {
  ensure_curl();
  for (size_t i = 0; i < buyers.size(); ++i) {
    tallies_[i].user_id = buyers[i].user_id;
    threads_.emplace_back([this, i, buyer = buyers[i]] { run(i, buyer); });
  }
}

CheckoutLoad::~CheckoutLoad() { stop(); }

void CheckoutLoad::stop() {
  stop_.store(true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void CheckoutLoad::run(size_t index, const Buyer& buyer) {
  CurlPtr curl = new_handle();
  BuyerTally tally;
  tally.user_id = buyer.user_id;
  const auto record = [this](const std::string& what, const Reply& r) {
    ++sent_;
    const std::lock_guard<std::mutex> lock(mutex_);
    ++statuses_[r.status];
    if ((failed(r.status) || r.status >= 400) && errors_.size() < 10) {
      errors_.push_back(what + ": " + std::to_string(r.status) + " " + r.body.substr(0, 200));
    }
  };
  Json::Value item(Json::objectValue);
  item["variant_id"] = static_cast<Json::Int64>(variant_id_);
  item["quantity"] = 1;
  for (int round = 0; !stop_.load() && Clock::now() < deadline_; ++round) {
    ++tally.units_tried;
    const Reply add =
        send(curl.get(), base_url_ + "/api/v1/carts/me/items", "POST", buyer.access_token, item);
    record("add", add);
    if (add.status == 201) ++tally.units_acked;
    if (round % 2 == 0) continue;  // two adds per checkout

    // A checkout that got no answer may have committed: the retry with the same
    // key answers that order again, or makes it. Bounded, also past stop().
    const std::string key =
        "Idempotency-Key: fault-" + std::to_string(buyer.user_id) + "-" + std::to_string(round);
    for (int attempt = 0; attempt < 40; ++attempt) {
      if (attempt > 0) {
        ++tally.checkout_retries;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      const Reply checkout = send(curl.get(), base_url_ + "/api/v1/orders/checkout", "POST",
                                  buyer.access_token, Json::Value(), {key});
      record("checkout", checkout);
      if (checkout.status == 201) {
        tally.orders_acked.push_back(checkout.json()["data"]["order_id"].asInt64());
        if (attempt > 0) ++tally.recovered;
      }
      if (!failed(checkout.status)) break;
    }
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  tallies_[index] = std::move(tally);
}

std::map<long, int> CheckoutLoad::statuses() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return statuses_;
}

int CheckoutLoad::failures() const {
  int n = 0;
  for (const auto& [status, count] : statuses()) n += failed(status) ? count : 0;
  return n;
}

int CheckoutLoad::refusals() const {
  int n = 0;
  for (const auto& [status, count] : statuses()) n += status >= 400 && status < 500 ? count : 0;
  return n;
}

std::vector<std::string> CheckoutLoad::errors() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return errors_;
}

std::vector<BuyerTally> CheckoutLoad::tallies() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return tallies_;
}

// --- checks -------------------------------------------------------------------------

std::vector<std::string> order_violations(const std::string& url,
                                          const std::vector<BuyerTally>& tallies) {
  using test_support::query_value;
  std::vector<std::string> out;
  const std::string empty_orders =
      query_value(url,
                  "SELECT count(*) FROM orders o WHERE NOT EXISTS "
                  "(SELECT 1 FROM order_items i WHERE i.order_id = o.id)");
  if (empty_orders != "0") out.push_back(empty_orders + " orders without items");
  for (const BuyerTally& t : tallies) {
    const std::string user = std::to_string(t.user_id);
    const int in_cart =
        std::stoi(query_value(url,
                              "SELECT coalesce(sum(ci.quantity), 0) FROM cart_items ci "
                              "JOIN carts c ON c.id = ci.cart_id WHERE c.user_id = " +
                                  user));
    const int in_orders =
        std::stoi(query_value(url,
                              "SELECT coalesce(sum(oi.quantity), 0) FROM order_items oi "
                              "JOIN orders o ON o.id = oi.order_id WHERE o.user_id = " +
                                  user));
    std::ostringstream units;
    units << "user " << user << ": " << in_cart << " units in the cart + " << in_orders
          << " in orders, " << t.units_acked << " adds acknowledged of " << t.units_tried
          << " sent";
    if (in_cart + in_orders < t.units_acked) out.push_back(units.str() + " (a lost cart line)");
    if (in_cart + in_orders > t.units_tried) out.push_back(units.str() + " (units from nowhere)");
    if (t.orders_acked.empty()) continue;
    std::string ids;
    for (const int64_t order : t.orders_acked) {
      if (!ids.empty()) ids += ',';
      ids += std::to_string(order);
    }
    const std::string theirs =
        query_value(url, "SELECT count(*) FROM orders WHERE user_id = " + user +
                             " AND id = ANY('{" + ids + "}')");
    if (theirs != std::to_string(t.orders_acked.size())) {
      out.push_back("user " + user + ": " + theirs + " of the " +
                    std::to_string(t.orders_acked.size()) +
                    " orders acknowledged are theirs in the database");
    }
  }
  return out;
}

std::string describe(const std::map<long, int>& statuses) {
  std::string out;
  for (const auto& [status, count] : statuses) {
    if (!out.empty()) out += ", ";
    out += (status == 0 ? std::string("no answer") : std::to_string(status)) + ": " +
           std::to_string(count);
  }
  return out.empty() ? "none" : out;
}

}  // namespace fault
