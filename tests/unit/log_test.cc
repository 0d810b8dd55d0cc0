// Log lines: one event is one line in either format, whatever the values hold.
#include "common/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

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
