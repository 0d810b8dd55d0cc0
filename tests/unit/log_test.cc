// Log lines: one event is one line in either format, whatever the values hold.
#include "common/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "common/json.h"
#include "tests/support/temp_dir.h"

namespace applog = common::log;

namespace {

// What `write` sends to stderr while `fn` runs.
template <typename Fn>
std::string captured_stderr(Fn fn) {
  test_support::TempDir dir("log");
  const std::string path = (dir.path() / "err").string();
  const int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(file >= 0);
  std::fflush(stderr);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(file, STDERR_FILENO);
  ::close(file);
  fn();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

size_t line_count(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

}  // namespace

TEST_CASE("a path with a decoded newline never yields two log lines", "[unit][log]") {
  for (applog::Format format : {applog::Format::kText, applog::Format::kJson}) {
    applog::init(applog::Level::kInfo, format);
    const std::string forged =
        "/api/v1/products\n2026-11-25T10:15:30Z info pid=1 request status=200\r\x1b[2J\x7f";
    const std::string out = captured_stderr([&] {
      applog::info("request", {{"path", forged}, {"ok", "plain"}});
      applog::info("request", {{"a\nb", 1}});
      applog::info("event\nforged", {});
    });
    INFO(out);
    CHECK(line_count(out) == 3);
    CHECK(out.find('\r') == std::string::npos);
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find('\x7f') == std::string::npos);
    if (format == applog::Format::kJson) {
      CHECK(common::json::parse_object(out.substr(0, out.find('\n')))["path"].asString() == forged);
    }
  }
  applog::init(applog::Level::kInfo, applog::Format::kText);
}

TEST_CASE("text log values with control characters or tabs are quoted and escaped", "[unit][log]") {
  applog::init(applog::Level::kInfo, applog::Format::kText);
  const std::string out = captured_stderr([] {
    applog::info(
        "probe",
        {{"tab", "a\tb"}, {"nl", "a\nb"}, {"plain", "ab"}, {"nul", std::string("a\0b", 3)}});
  });
  INFO(out);
  CHECK(out.find(R"(tab="a\tb")") != std::string::npos);
  CHECK(out.find(R"(nl="a\nb")") != std::string::npos);
  CHECK(out.find(" plain=ab") != std::string::npos);
  CHECK(out.find(R"(nul="a\u0000b")") != std::string::npos);
  CHECK(out.find('\t') == std::string::npos);
}

TEST_CASE("the request line has every field in both formats", "[unit][log]") {
  const applog::RequestLine line{"GET", "/api/v1/products/{id}", "/api/v1/products/7 x", 200, 1234,
                                 42};
  applog::init(applog::Level::kInfo, applog::Format::kText);
  applog::set_request_id("rid-1");
  std::string out = captured_stderr([&] { applog::request(line); });
  INFO(out);
  CHECK(line_count(out) == 1);
  CHECK(out.find(" info pid=") != std::string::npos);
  CHECK(out.find(" rid=rid-1 request method=GET route=/api/v1/products/{id} "
                 "path=\"/api/v1/products/7 x\" status=200 duration_ms=1.234 user_id=42\n") !=
        std::string::npos);

  applog::init(applog::Level::kInfo, applog::Format::kJson);
  out = captured_stderr([&] {
    applog::request({"GET", "/r", "/p\n\x7f\"", 404, 5, std::nullopt});
  });
  applog::clear_request_id();
  applog::init(applog::Level::kInfo, applog::Format::kText);
  INFO(out);
  CHECK(line_count(out) == 1);
  CHECK(out.find('\x7f') == std::string::npos);
  const Json::Value v = common::json::parse_object(out.substr(0, out.find('\n')));
  CHECK(v["event"] == "request");
  CHECK(v["level"] == "info");
  CHECK(v["request_id"] == "rid-1");
  CHECK(v["method"] == "GET");
  CHECK(v["route"] == "/r");
  CHECK(v["path"] == "/p\n\x7f\"");
  CHECK(v["status"] == 404);
  CHECK(v["duration_ms"].asDouble() == Approx(0.005));
  CHECK(v["pid"].asInt64() == ::getpid());
  CHECK(v["time"].asString().size() == 32);
  CHECK_FALSE(v.isMember("user_id"));
}

TEST_CASE("held request lines are written in order, before any other line", "[unit][log]") {
  applog::init(applog::Level::kInfo, applog::Format::kText);
  applog::set_request_buffer(1 << 20, std::chrono::milliseconds(1000));
  const std::string out = captured_stderr([&] {
    applog::request({"GET", "/a", "/a", 200, 1, std::nullopt});
    applog::request({"GET", "/b", "/b", 200, 1, std::nullopt});
    CHECK(applog::flush_due_in().has_value());
    applog::info("other", {{"k", 1}});  // writes /a and /b first
    CHECK_FALSE(applog::flush_due_in().has_value());
    applog::request({"GET", "/c", "/c", 200, 1, std::nullopt});
    applog::flush();
  });
  applog::set_request_buffer(0, std::chrono::milliseconds(1000));
  INFO(out);
  CHECK(line_count(out) == 4);
  const size_t a = out.find("path=/a ");
  const size_t b = out.find("path=/b ");
  const size_t other = out.find(" other k=1");
  const size_t c = out.find("path=/c ");
  CHECK(a < b);
  CHECK(b < other);
  CHECK(other < c);
  CHECK(c != std::string::npos);
}

TEST_CASE("held request lines are written when the buffer fills or falls due", "[unit][log]") {
  applog::init(applog::Level::kInfo, applog::Format::kText);
  std::string out = captured_stderr([&] {
    applog::set_request_buffer(1, std::chrono::milliseconds(1000));  // every line fills it
    applog::request({"GET", "/x", "/x", 200, 1, std::nullopt});
    CHECK_FALSE(applog::flush_due_in().has_value());
  });
  CHECK(line_count(out) == 1);

  out = captured_stderr([&] {
    applog::set_request_buffer(1 << 20, std::chrono::milliseconds(20));
    applog::request({"GET", "/y", "/y", 200, 1, std::nullopt});
    applog::flush_if_due();  // not due yet
    CHECK(applog::flush_due_in().has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    CHECK(applog::flush_due_in() == std::chrono::milliseconds(0));
    applog::flush_if_due();
    CHECK_FALSE(applog::flush_due_in().has_value());
  });
  applog::set_request_buffer(0, std::chrono::milliseconds(1000));
  CHECK(line_count(out) == 1);
  CHECK(out.find("path=/y ") != std::string::npos);
}
