#include "tests/support/http_client.h"

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

#include "common/json.h"

namespace test_support {

namespace {

std::string required_env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v)
    FAIL(std::string(name) + " is unset: run the end-to-end tests through `make test`");
  return v;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}

// With E2E_RECORD_FILE set, appends the answer as one JSON line (method, path,
// status, content type and, for uncompressed JSON, the body), which
// `scripts/docs.sh validate` checks against docs/openapi.yaml after the run.
void record_answer(const HttpRequest& request, const HttpResponse& response) {
  static const char* const file = std::getenv("E2E_RECORD_FILE");
  if (!file || !*file) return;
  Json::Value line(Json::objectValue);
  line["method"] = request.method;
  line["path"] = request.path;
  line["status"] = static_cast<Json::Int64>(response.status);
  line["content_type"] = response.header("content-type");
  line["content_encoding"] = response.header("content-encoding");
  if (line["content_encoding"].asString().empty() &&
      line["content_type"].asString().find("json") != std::string::npos)
    line["body"] = response.body;
  const std::string text = common::json::write(line) + "\n";
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<FILE, decltype(&std::fclose)> out(std::fopen(file, "a"), &std::fclose);
  if (out) std::fwrite(text.data(), 1, text.size(), out.get());
}

}  // namespace

Json::Value HttpResponse::json() const {
  try {
    return common::json::parse_trusted(body);
  } catch (...) {
    return Json::Value();
  }
}

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string base_url() { return required_env("E2E_BASE_URL"); }
std::string e2e_state_dir() { return required_env("E2E_STATE_DIR"); }
std::string e2e_repo() { return required_env("E2E_REPO"); }

HttpResponse http(const HttpRequest& request) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  REQUIRE(curl);
  HttpResponse out;
  const std::string url = base_url() + request.path;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 1L);
  if (request.has_body) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> guard(headers, &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &out.headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  const CURLcode rc = curl_easy_perform(curl.get());
  INFO(request.method << " " << url << ": " << curl_easy_strerror(rc));
  REQUIRE(rc == CURLE_OK);
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &out.status);
  record_answer(request, out);
  return out;
}

HttpResponse http_get(const std::string& path, std::vector<std::string> headers) {
  HttpRequest r;
  r.path = path;
  r.headers = std::move(headers);
  return http(r);
}

HttpResponse wait_for_status(const std::string& path, long status, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  HttpResponse last;
  do {
    last = http_get(path);
    if (last.status == status) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  return last;
}

int shell(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace test_support
