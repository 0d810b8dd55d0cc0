// A small blocking HTTP client over libcurl for the end-to-end tests, which
// talk to the real nginx + pool started by scripts/test.sh (E2E_BASE_URL).
#pragma once

#include <json/value.h>

#include <map>
#include <string>
#include <vector>

namespace test_support {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower case; last value wins
  std::string body;

  // The body parsed as JSON (null when it is not JSON).
  Json::Value json() const;
  std::string header(const std::string& lower_name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string path;                  // "/api/v1/products?limit=2"
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  bool has_body = false;
};

// E2E_BASE_URL, or a failing test when it is unset.
std::string base_url();
// The e2e stack's STATE_DIR (E2E_STATE_DIR) and the repository root (E2E_REPO).
std::string e2e_state_dir();
std::string e2e_repo();

HttpResponse http(const HttpRequest& request);
HttpResponse http_get(const std::string& path, std::vector<std::string> headers = {});

// Polls `path` until it answers `status` or `timeout_ms` passes; returns the last answer.
HttpResponse wait_for_status(const std::string& path, long status, int timeout_ms);

// Runs a shell command, returns its exit code (for stopping and starting the stack's parts).
int shell(const std::string& command);

}  // namespace test_support
