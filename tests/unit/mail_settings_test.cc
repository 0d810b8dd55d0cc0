// The mail settings: defaults, the shapes load_config checks (so a bad value
// stops a start instead of every message), secrets kept out of problems, and
// how SMTP settings are taken from the configuration.
#include <catch2/catch.hpp>
#include <string>

#include "common/config.h"
#include "tests/support/env.h"
#include "workers/mail/smtp_client.h"

namespace {

std::string problems_of(const test_support::Env& env) {
  try {
    test_support::config_from(env);
  } catch (const common::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("mail settings default to a local sender and no server", "[unit][mail][config]") {
  const common::Config c = test_support::config_from({});
  CHECK(c.smtp_url.empty());
  CHECK(c.mail_from == "shop@localhost");
  CHECK(c.mail_domain == "localhost");
  CHECK(c.smtp_connect_timeout_ms == 5000);
  CHECK(c.smtp_timeout_ms == 30000);
  const common::Config set =
      test_support::config_from({{"SMTP_URL", "smtps://u:p@relay.example.com:465"},
                                 {"SMTP_USER", "me"},
                                 {"SMTP_PASSWORD", "pw"},
                                 {"MAIL_FROM", "orders@shop.example"},
                                 {"MAIL_DOMAIN", "shop.example"},
                                 {"SMTP_CONNECT_TIMEOUT_MS", "250"},
                                 {"SMTP_TIMEOUT_MS", "1000"}});
  const mail::SmtpSettings s = mail::smtp_settings(set);
  CHECK(s.url == "smtps://u:p@relay.example.com:465");
  CHECK(s.user == "me");
  CHECK(s.password == "pw");
  CHECK(s.helo_domain == "shop.example");
  CHECK(s.connect_timeout_ms == 250);
  CHECK(s.timeout_ms == 1000);
}

TEST_CASE("a bad SMTP_URL, MAIL_FROM or MAIL_DOMAIN stops the configuration",
          "[unit][mail][config]") {
  CHECK(problems_of({{"SMTP_URL", "smtp://127.0.0.1:2525"}}).empty());
  CHECK(problems_of({{"SMTP_URL", "smtps://user:secret@relay.example.com"}}).empty());
  const std::string bad_url = problems_of({{"SMTP_URL", "http://user:hunter2@relay.example.com"}});
  CHECK(bad_url.find("SMTP_URL must be") != std::string::npos);
  CHECK(bad_url.find("hunter2") == std::string::npos);  // a secret is never repeated
  CHECK(problems_of({{"SMTP_URL", "smtp://relay.example.com\r\nRCPT"}}).find("SMTP_URL") !=
        std::string::npos);
  CHECK(problems_of({{"MAIL_FROM", "Shop <shop@example.com>"}}).find("MAIL_FROM must be") !=
        std::string::npos);
  CHECK(problems_of({{"MAIL_FROM", "shop@example.com\r\nBcc: x@y.z"}}).find("MAIL_FROM") !=
        std::string::npos);
  CHECK(problems_of({{"MAIL_DOMAIN", "bad domain"}}).find("MAIL_DOMAIN must be") !=
        std::string::npos);
  CHECK(problems_of({{"SMTP_TIMEOUT_MS", "0"}}).find("SMTP_TIMEOUT_MS") != std::string::npos);
}

TEST_CASE("logs name the SMTP server without its credentials", "[unit][mail]") {
  CHECK(mail::redacted_url("smtp://user:secret@relay.example.com:587/x") ==
        "smtp://relay.example.com:587");
  CHECK(mail::redacted_url("smtps://relay.example.com") == "smtps://relay.example.com");
  CHECK(mail::redacted_url("not a url") == "(invalid SMTP_URL)");
}

TEST_CASE("sending without SMTP_URL is a transient failure, not a crash", "[unit][mail]") {
  const mail::SendResult r = mail::send_mail({}, "shop@localhost", "a@example.com", "x\r\n");
  CHECK(r.outcome == mail::SendOutcome::kTransient);
  CHECK(r.detail.find("SMTP_URL is not set") != std::string::npos);
}
