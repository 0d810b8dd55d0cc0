// The local SMTP server of the stack (scripts/smtp.sh): the e2e stack runs one
// of its own that keeps what it accepts under $E2E_STATE_DIR/mail/new, and the
// script keeps its port across restarts and brings a dead server back.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/api_session.h"
#include "tests/support/http_client.h"
#include "tests/support/smtp_server.h"
#include "tests/support/temp_dir.h"
#include "workers/mail/smtp_client.h"

namespace {

namespace fs = std::filesystem;
using test_support::e2e_repo;
using test_support::e2e_state_dir;
using test_support::shell;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The messages under `dir`/new that hold `needle`, waiting up to 5 s for one.
std::vector<test_support::MailMessage> stored_with(const fs::path& dir, const std::string& needle) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    std::vector<test_support::MailMessage> found;
    for (test_support::MailMessage& m : test_support::read_maildir(dir)) {
      if (m.raw.find(needle) != std::string::npos) found.push_back(std::move(m));
    }
    if (!found.empty() || std::chrono::steady_clock::now() > deadline) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

mail::SmtpSettings settings_for(const std::string& url) {
  mail::SmtpSettings s;
  s.url = url;
  s.connect_timeout_ms = 2000;
  s.timeout_ms = 5000;
  return s;
}

std::string message_with(const std::string& marker) {
  return "From: shop@localhost\r\nTo: e2e@example.test\r\nSubject: " + marker +
         "\r\nMessage-ID: <" + marker + "@localhost>\r\n\r\n.leading dot\r\nbody\r\n";
}

}  // namespace

TEST_CASE("the e2e stack's own SMTP server keeps each accepted message whole under its STATE_DIR",
          "[e2e][mail]") {
  const std::string url = test_support::e2e_smtp_url();
  REQUIRE_FALSE(url.empty());
  const std::string marker = "e2e-stack-" + std::to_string(::getpid());
  const mail::SendResult sent = mail::send_mail(settings_for(url), "shop@localhost",
                                                "e2e@example.test", message_with(marker));
  REQUIRE(sent.outcome == mail::SendOutcome::kAccepted);
  const auto files = stored_with(fs::path(e2e_state_dir()) / "mail", marker);
  REQUIRE(files.size() == 1);
  // Whole and byte-exact: SMTP's dot-stuffing undone, CRLF kept.
  CHECK(files[0].raw == message_with(marker));
}

TEST_CASE("smtp.sh keeps its port across restarts and brings a dead server back", "[e2e][mail]") {
  test_support::TempDir state("smtp-script");
  const std::string script =
      "STATE_DIR='" + state.path().string() + "' '" + e2e_repo() + "/scripts/smtp.sh' ";
  // Stops the server whatever the test's outcome.
  struct StopAtEnd {
    std::string command;
    ~StopAtEnd() { shell(command); }
  } stop_at_end{script + "stop >/dev/null 2>&1"};
  REQUIRE(shell(script + "start >/dev/null 2>&1") == 0);
  const std::string port = read_file(state.path() / "smtp.port");
  REQUIRE_FALSE(port.empty());
  const std::string url = "smtp://127.0.0.1:" + port.substr(0, port.find('\n'));
  CHECK(shell(script + "status >/dev/null 2>&1") == 0);
  CHECK(shell(script + "start >/dev/null 2>&1") == 0);  // idempotent

  // Killed outright: status says so, start brings it back on the same port.
  const std::string pid = read_file(state.path() / "run" / "smtp.pid");
  REQUIRE(shell("kill -KILL " + pid.substr(0, pid.find('\n'))) == 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (shell(script + "status >/dev/null 2>&1") == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(shell(script + "status >/dev/null 2>&1") == 3);
  CHECK(mail::send_mail(settings_for(url), "shop@localhost", "e2e@example.test", "x\r\n").outcome ==
        mail::SendOutcome::kTransient);
  REQUIRE(shell(script + "start >/dev/null 2>&1") == 0);
  CHECK(read_file(state.path() / "smtp.port") == port);
  const std::string marker = "smtp-script-" + std::to_string(::getpid());
  CHECK(
      mail::send_mail(settings_for(url), "shop@localhost", "e2e@example.test", message_with(marker))
          .outcome == mail::SendOutcome::kAccepted);
  CHECK(stored_with(state.path() / "mail", marker).size() == 1);

  CHECK(shell(script + "stop >/dev/null 2>&1") == 0);
  CHECK(shell(script + "status >/dev/null 2>&1") == 3);
  CHECK(shell(script + "stop >/dev/null 2>&1") == 0);  // harmless when stopped
}
