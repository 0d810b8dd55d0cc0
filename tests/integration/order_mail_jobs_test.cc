// The email job handlers (workers/jobs/order_mail_jobs.h) against real
// PostgreSQL and a real SMTP server (tests/support/smtp_server.h): one
// accepted message per order event with the right headers and body, retries
// while the server is down or silent, and permanent failures for what no
// retry can fix.
#include "workers/jobs/order_mail_jobs.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "common/json.h"
#include "tests/support/db.h"
#include "tests/support/factories.h"
#include "tests/support/invariants.h"
#include "tests/support/smtp_server.h"
#include "workers/services/cart_service.h"
#include "workers/services/checkout_service.h"
#include "workers/services/order_service.h"

namespace {

namespace pg = common::pg;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using test_support::make_product;
using test_support::make_stocked_variant;
using test_support::make_user;
using test_support::migrated_connection;
using test_support::SmtpServer;
using test_support::truncate_all;

constexpr int kConnectTimeoutMs = 1000;
constexpr int kTimeoutMs = 1500;

common::Config mail_config(const std::string& smtp_url) {
  common::Config config;
  config.smtp_url = smtp_url;
  config.mail_from = "orders@shop.test";
  config.mail_domain = "shop.test";
  config.smtp_connect_timeout_ms = kConnectTimeoutMs;
  config.smtp_timeout_ms = kTimeoutMs;
  return config;
}

// What the runner hands a handler: its connection and configuration, no cache.
jobs::JobContext context(pg::Connection& db, const common::Config& config, int64_t job_id = 1) {
  return jobs::JobContext{db, config, nullptr, job_id, 1, {}};
}

Json::Value payload_of(int64_t order_id) {
  Json::Value payload(Json::objectValue);
  payload["order_id"] = Json::Int64(order_id);
  return payload;
}

// An order of `user`: 2 x 12.99 of a mug titled `title` and 1 x 60.44 of a lamp.
int64_t place_order(pg::Connection& db, int64_t user, const std::string& title = "Blue Mug") {
  const int64_t mug = make_stocked_variant(db, make_product(db, {.title = title}),
                                           {.sku = "MUG-" + test_support::unique_suffix(),
                                            .price_cents = 1299,
                                            .attributes_json = R"({"color": "blue"})",
                                            .available = 10});
  const int64_t lamp = make_stocked_variant(db, make_product(db, {.title = "Desk Lamp"}),
                                            {.price_cents = 6044, .available = 10});
  services::add_item(db, user, {mug, 2});
  services::add_item(db, user, {lamp, 1});
  return services::checkout(db, user, {}, std::nullopt, nullptr).order["order_id"].asInt64();
}

template <typename F>
milliseconds time_of(F&& f) {
  const auto start = steady_clock::now();
  f();
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
}

}  // namespace

TEST_CASE("an order confirmation is one stored message with the order's headers and lines",
          "[integration][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = mail_config(smtp.url());
  const int64_t user = make_user(db, {.email = "alice@example.test"});
  const int64_t order = place_order(db, user);
  jobs::JobContext ctx = context(db, config, 7);

  const Json::Value result = jobs::send_order_confirmation(ctx, payload_of(order));
  const std::string message_id = "order-" + std::to_string(order) + "-confirmation@shop.test";
  CHECK(result["message_id"].asString() == message_id);
  CHECK(result["to"].asString() == "alice@example.test");
  CHECK(result["smtp_reply"].asInt() == 250);

  const auto messages = smtp.wait_for_messages(1, milliseconds(5000));
  REQUIRE(messages.size() == 1);
  const test_support::MailMessage& m = messages[0];
  CHECK(m.headers.size() == 8);
  CHECK(m.header("From") == "orders@shop.test");
  CHECK(m.header("To") == "alice@example.test");
  CHECK(m.header("Subject") == "Your order " + std::to_string(order) + " is confirmed");
  CHECK(m.header("Message-ID") == "<" + message_id + ">");
  CHECK(m.header("MIME-Version") == "1.0");
  CHECK(m.header("Content-Type") == "text/plain; charset=UTF-8");
  CHECK(m.header("Content-Transfer-Encoding") == "quoted-printable");
  CHECK(m.header("Date").ends_with(" +0000"));
  CHECK(m.raw.find("\r\n\r\n") != std::string::npos);  // stored whole, CRLF as sent
  const std::string text = m.text();
  CHECK(text.find("- Blue Mug\n  sku MUG-") != std::string::npos);
  CHECK(text.find("(color: blue)\n  2 x 12.99 USD = 25.98 USD\n") != std::string::npos);
  CHECK(text.find("- Desk Lamp\n") != std::string::npos);
  CHECK(text.find("1 x 60.44 USD = 60.44 USD\n") != std::string::npos);
  CHECK(text.ends_with("Total: 86.42 USD\n"));
}

TEST_CASE("a shipping notice carries its own Message-ID", "[integration][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = mail_config(smtp.url());
  const int64_t order = place_order(db, make_user(db));
  jobs::JobContext ctx = context(db, config);
  const Json::Value result = jobs::send_order_shipped(ctx, payload_of(order));
  CHECK(result["message_id"].asString() == "order-" + std::to_string(order) + "-shipped@shop.test");
  const auto messages = smtp.wait_for_messages(1, milliseconds(5000));
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].header("Subject") == "Your order " + std::to_string(order) + " has shipped");
}

TEST_CASE("with the SMTP server down the job retries within the timeout, and sends once it is back",
          "[integration][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = mail_config(smtp.url());
  const int64_t order = place_order(db, make_user(db));
  jobs::JobContext ctx = context(db, config);

  smtp.stop();
  std::string reason;
  const milliseconds refused = time_of([&] {
    try {
      (void)jobs::send_order_confirmation(ctx, payload_of(order));
      FAIL("sent while the server was down");
    } catch (const jobs::JobRetry& e) {
      reason = e.what();
    }
  });
  CHECK(refused < milliseconds(kConnectTimeoutMs + 500));
  CHECK(reason.find("SMTP unavailable") != std::string::npos);
  CHECK(reason.find(smtp.url()) != std::string::npos);

  smtp.start();
  CHECK(smtp.messages().empty());
  (void)jobs::send_order_confirmation(ctx, payload_of(order));
  const auto messages = smtp.wait_for_messages(1, milliseconds(5000));
  CHECK(messages.size() == 1);
}

TEST_CASE("a server that accepts but never answers makes the job retry within the SMTP timeouts",
          "[integration][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = mail_config(smtp.url());
  const int64_t order = place_order(db, make_user(db));
  jobs::JobContext ctx = context(db, config);

  smtp.pause();
  const milliseconds waited = time_of([&] {
    CHECK_THROWS_AS(jobs::send_order_confirmation(ctx, payload_of(order)), jobs::JobRetry);
  });
  smtp.resume();
  CHECK(waited < milliseconds(kTimeoutMs + 1000));
  // The abandoned conversation never reached DATA: nothing was stored.
  CHECK(smtp.wait_for_messages(1, milliseconds(500)).empty());
}

TEST_CASE("smtps:// against a plain SMTP server fails cleanly and quickly", "[integration][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = mail_config("smtps://127.0.0.1:" + std::to_string(smtp.port()));
  const int64_t order = place_order(db, make_user(db));
  jobs::JobContext ctx = context(db, config);
  const milliseconds waited = time_of([&] {
    CHECK_THROWS_AS(jobs::send_order_confirmation(ctx, payload_of(order)), jobs::JobRetry);
  });
  CHECK(waited < milliseconds(kTimeoutMs + 1000));
  CHECK(smtp.messages().empty());
}

TEST_CASE("an unknown order or a bad payload fails the job for good, sending nothing",
          "[integration][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = mail_config(smtp.url());
  jobs::JobContext ctx = context(db, config);
  CHECK_THROWS_AS(jobs::send_order_confirmation(ctx, payload_of(987654)), jobs::JobFailed);
  CHECK_THROWS_AS(jobs::send_order_shipped(ctx, payload_of(987654)), jobs::JobFailed);
  for (const char* bad : {R"({})", R"({"order_id": "1"})", R"({"order_id": 0})",
                          R"({"order_id": 1.5})", R"({"order_id": true})", R"([1])"}) {
    INFO(bad);
    CHECK_THROWS_AS(jobs::send_order_confirmation(ctx, common::json::parse_trusted(bad)),
                    jobs::JobFailed);
  }
  CHECK(smtp.messages().empty());
}

TEST_CASE("a 4xx answer retries the job and a 5xx answer fails it for good",
          "[integration][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = mail_config(smtp.url());
  jobs::JobContext ctx = context(db, config);
  const int64_t deferred = place_order(db, make_user(db, {.email = "reply-451@example.test"}));
  const int64_t refused = place_order(db, make_user(db, {.email = "reply-550@example.test"}));
  try {
    (void)jobs::send_order_confirmation(ctx, payload_of(deferred));
    FAIL("a deferred message counted as sent");
  } catch (const jobs::JobRetry& e) {
    CHECK(std::string(e.what()).find("451") != std::string::npos);
  }
  try {
    (void)jobs::send_order_confirmation(ctx, payload_of(refused));
    FAIL("a refused message counted as sent");
  } catch (const jobs::JobFailed& e) {
    CHECK(std::string(e.what()).find("550") != std::string::npos);
  }
  CHECK(smtp.wait_for_messages(1, milliseconds(300)).empty());
}

TEST_CASE("a title or an account email built to inject headers adds none", "[integration][mail]") {
  pg::Connection db = migrated_connection();
  truncate_all(db);
  SmtpServer smtp;
  const common::Config config = mail_config(smtp.url());
  jobs::JobContext ctx = context(db, config);

  const int64_t order = place_order(db, make_user(db, {.email = "bob@example.test"}),
                                    "Mug\r\nBcc: eve@evil.test\r\n\r\n.\r\nRSET \xC3\xA9t\xC3\xA9");
  (void)jobs::send_order_confirmation(ctx, payload_of(order));
  const auto messages = smtp.wait_for_messages(1, milliseconds(5000));
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].headers.size() == 8);
  CHECK(messages[0].header_count("Bcc") == 0);
  CHECK(messages[0].text().find("- Mug  Bcc: eve@evil.test    .  RSET \xC3\xA9t\xC3\xA9\n") !=
        std::string::npos);

  const int64_t evil = make_user(db, {.email = "carol@example.test\r\nBcc: eve@evil.test"});
  const int64_t evil_order = place_order(db, evil);
  CHECK_THROWS_AS(jobs::send_order_confirmation(ctx, payload_of(evil_order)), jobs::JobFailed);
  CHECK(smtp.wait_for_messages(2, milliseconds(300)).size() == 1);
}
