#include "tests/support/pool_stack.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/json.h"
#include "tests/support/api_session.h"
#include "tests/support/http_client.h"
#include "tests/support/ports.h"

namespace test_support {

namespace {

// curl_global_init is not thread-safe: done once, before any thread starts.
void ensure_curl() {
  static const bool done = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)done;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

Answer perform(CURL* curl, const std::string& url, long timeout_s) {
  Answer a;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK) {
    a.error = curl_easy_strerror(rc);
    return a;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
  return a;
}

// The server binary next to the running test binary (<build>/tests/e2e_tests).
std::string server_bin() {
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "";
  const std::filesystem::path build =
      std::filesystem::path(std::string(self, static_cast<size_t>(n))).parent_path().parent_path();
  return (build / "ecommerce-server").string();
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Json::Value Answer::json() const {
  try {
    return common::json::parse_trusted(body);
  } catch (...) {
    return Json::Value();
  }
}

Answer get(const std::string& base_url, const std::string& path, long timeout_s) {
  ensure_curl();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  return perform(curl.get(), base_url + path, timeout_s);
}

OwnStack::OwnStack(const std::map<std::string, std::string>& env) {
  char dir[] = "/tmp/pool-e2e-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  state_dir_ = dir;
  try {
    start(env);
  } catch (...) {
    // No destructor runs for a half-made object: tear down here.
    teardown();
    throw;
  }
}

void OwnStack::start(const std::map<std::string, std::string>& env) {
  const int port = free_listen_port();
  REQUIRE(port > 0);
  base_url_ = "http://127.0.0.1:" + std::to_string(port);
  std::map<std::string, std::string> all = {
      {"STATE_DIR", state_dir_},
      {"HTTP_PORT", std::to_string(port)},
      {"DATABASE_URL", e2e_database_url()},
      {"REDIS_URL", e2e_redis_url()},
      {"SMTP_URL", e2e_smtp_url()},
      {"SERVER_BIN", server_bin()},
      {"ENABLE_TEST_ROUTES", "1"},
      {"LOG_FORMAT", "json"},
      {"GRACEFUL_TIMEOUT", "10"},
      // The pool tests count and kill workers; a test about job runners asks for them.
      {"JOB_RUNNERS", "0"},
  };
  for (const auto& [k, v] : env) all[k] = v;
  for (const auto& [k, v] : all) env_prefix_ += k + "=" + quoted(v) + " ";
  const std::string up = env_prefix_ + quoted(e2e_repo() + "/scripts/stack.sh") + " up >" +
                         quoted(state_dir_ + "/stack-up.log") + " 2>&1";
  const int rc = shell(up);
  if (rc != 0) {
    std::ifstream log(state_dir_ + "/stack-up.log");
    std::stringstream text;
    text << log.rdbuf();
    FAIL("stack.sh up failed (" << rc << "):\n" << text.str());
  }
}

void OwnStack::teardown() {
  if (!env_prefix_.empty()) {
    shell(env_prefix_ + quoted(e2e_repo() + "/scripts/stack.sh") + " down >/dev/null 2>&1");
  }
  if (std::getenv("TEST_KEEP") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);
  }
}

OwnStack::~OwnStack() { teardown(); }

pid_t OwnStack::master_pid() const {
  std::ifstream in(state_dir_ + "/run/server.pid");
  pid_t pid = 0;
  in >> pid;
  return pid;
}

Json::Value OwnStack::status() const {
  const Answer a = get("/status?full");
  return a.status == 200 ? a.json()["data"] : Json::Value();
}

std::string query_value(const std::string& url, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) return "";
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK || PQntuples(res.get()) == 0) return "";
  return PQgetvalue(res.get(), 0, 0);
}

double metric_value(const std::string& body, const std::string& series) {
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

bool process_alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(") ");
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

// --- Load ------------------------------------------------------------------------

Load::Load(std::string base_url, std::string path, int threads, int max_requests,
           std::chrono::seconds max_duration)
    : url_(std::move(base_url) + path),
      max_requests_(max_requests),
      deadline_(std::chrono::steady_clock::now() + max_duration),
      per_thread_(static_cast<size_t>(threads)),
      errors_(static_cast<size_t>(threads)) {
  ensure_curl();
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i] {
      std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(),
                                                               &curl_easy_cleanup);
      auto& counts = per_thread_[static_cast<size_t>(i)];
      auto& errors = errors_[static_cast<size_t>(i)];
      while (!stop_.load() && std::chrono::steady_clock::now() < deadline_) {
        if (max_requests_ > 0 && sent_.fetch_add(1) >= max_requests_) {
          sent_.fetch_sub(1);
          break;
        }
        if (max_requests_ <= 0) sent_.fetch_add(1);
        const Answer a = perform(curl.get(), url_, 15);
        ++counts[a.status];
        if (a.status != 200 && errors.size() < 10) {
          errors.push_back(std::to_string(a.status) + " " + a.error + " " + a.body.substr(0, 200));
        }
      }
    });
  }
}

Load::~Load() {
  stop();
  wait();
}

void Load::stop() { stop_.store(true); }

void Load::wait() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::map<long, int> Load::statuses() const {
  std::map<long, int> all;
  for (const auto& m : per_thread_) {
    for (const auto& [status, n] : m) all[status] += n;
  }
  return all;
}

int Load::failures() const {
  int n = 0;
  for (const auto& [status, count] : statuses()) n += status == 200 ? 0 : count;
  return n;
}

std::vector<std::string> Load::errors() const {
  std::vector<std::string> all;
  for (const auto& e : errors_) all.insert(all.end(), e.begin(), e.end());
  return all;
}

}  // namespace test_support
