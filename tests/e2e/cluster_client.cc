#include "tests/e2e/cluster_client.h"

#include <curl/curl.h>
#include <json/reader.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "common/json.h"

namespace cluster_test {

namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

size_t on_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string repo() {
  const std::string r = env_or_empty("E2E_REPO");
  return r.empty() ? std::string(ECOMMERCE_SOURCE_DIR) : r;
}

// A unique suffix for emails and skus: pid and a counter.
std::string unique(const char* what) {
  static std::atomic<int> counter{0};
  return std::string(what) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1)) + "-" + std::to_string(std::rand() % 100000);
}

}  // namespace

Json::Value Reply::json() const {
  Json::Value v;
  Json::CharReaderBuilder builder;
  std::string errors;
  const std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
  if (!reader->parse(body.data(), body.data() + body.size(), &v, &errors)) return Json::Value();
  return v;
}

std::string base_url() {
  const std::string port = env_or_empty("CLUSTER_HTTP_PORT");
  REQUIRE_FALSE(port.empty());
  return "http://127.0.0.1:" + port;
}

std::string cluster_dir() {
  const std::string dir = env_or_empty("CLUSTER_DIR");
  REQUIRE_FALSE(dir.empty());
  return dir;
}

Reply request_nothrow(const std::string& method, const std::string& path, const Json::Value& body,
                      const std::string& token, const std::vector<std::string>& headers,
                      long timeout_s) {
  Reply out;
  const std::string port = env_or_empty("CLUSTER_HTTP_PORT");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (port.empty() || !curl) {
    out.body = "no CLUSTER_HTTP_PORT or no curl handle";
    return out;
  }
  const std::string url = "http://127.0.0.1:" + port + path;
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  if (!token.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + token).c_str());
  std::string payload;
  if (!body.isNull()) {
    payload = common::json::write(body);
    list = curl_slist_append(list, "Content-Type: application/json");
  }
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.isNull() || method != "GET") {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(payload.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, timeout_s);
  curl_easy_setopt(curl.get(), CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl.get());
  curl_slist_free_all(list);
  if (rc != CURLE_OK) {
    out.status = 0;
    out.body = curl_easy_strerror(rc);
    return out;
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

Reply request(const std::string& method, const std::string& path, const Json::Value& body,
              const std::string& token, const std::vector<std::string>& headers) {
  Reply r = request_nothrow(method, path, body, token, headers);
  INFO(method << " " << path << " -> " << r.status << " " << r.body);
  REQUIRE(r.status != 0);
  return r;
}

int cluster(const std::string& args) {
  const std::string command = repo() + "/scripts/cluster.sh " + args + " >&2";
  const int rc = std::system(command.c_str());
  return rc == -1 ? -1 : WEXITSTATUS(rc);
}

std::string psql(const std::string& host, const std::string& sql) {
  const std::string command =
      repo() + "/scripts/cluster.sh psql " + host + " -tA -c " + shell_quote(sql) + " 2>&1";
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  std::string out;
  if (!pipe) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe.get())) out += buf;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string new_user_token() {
  const std::string email = unique("cluster") + "@example.com";
  Json::Value creds;
  creds["email"] = email;
  creds["password"] = "correct-horse-42";
  const Reply reg = request("POST", "/api/v1/auth/register", creds);
  INFO(reg.body);
  REQUIRE(reg.status == 201);
  const Reply login = request("POST", "/api/v1/auth/login", creds);
  INFO(login.body);
  REQUIRE(login.status == 200);
  return login.json()["data"]["access_token"].asString();
}

std::string admin_token() {
  Json::Value creds;
  creds["email"] = env_or_empty("E2E_ADMIN_EMAIL");
  creds["password"] = env_or_empty("E2E_ADMIN_PASSWORD");
  REQUIRE_FALSE(creds["password"].asString().empty());
  const Reply login = request("POST", "/api/v1/auth/login", creds);
  INFO(login.body);
  REQUIRE(login.status == 200);
  return login.json()["data"]["access_token"].asString();
}

std::pair<int64_t, int64_t> make_variant(const std::string& admin, int64_t stock,
                                         int64_t price_cents) {
  const std::string sku = unique("CL");
  Json::Value product;
  product["sku"] = sku;
  product["title"] = "Cluster test " + sku;
  const Reply p = request("POST", "/api/v1/admin/products", product, admin);
  INFO(p.body);
  REQUIRE(p.status == 201);
  const int64_t product_id = p.json()["data"]["id"].asInt64();
  Json::Value variant;
  variant["sku"] = sku + "-V";
  variant["price_cents"] = static_cast<Json::Int64>(price_cents);
  variant["stock"] = static_cast<Json::Int64>(stock);
  const Reply v = request(
      "POST", "/api/v1/admin/products/" + std::to_string(product_id) + "/variants", variant, admin);
  INFO(v.body);
  REQUIRE(v.status == 201);
  return {product_id, v.json()["data"]["id"].asInt64()};
}

int64_t make_address(const std::string& token) {
  Json::Value a;
  a["line1"] = "1 Main St";
  a["city"] = "Springfield";
  a["country"] = "US";
  a["postal_code"] = "12345";
  const Reply r = request("POST", "/api/v1/addresses", a, token);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json()["data"]["id"].asInt64();
}

int logged_requests(const std::string& host, const std::string& method, const std::string& route) {
  std::ifstream in(cluster_dir() + "/" + host + "/log/server.log");
  const std::string needle = " request method=" + method + " route=" + route + " ";
  int n = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(needle) != std::string::npos) ++n;
  }
  return n;
}

}  // namespace cluster_test
