#include "tests/support/api_session.h"

#include <curl/curl.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "common/json.h"
#include "tests/support/factories.h"

namespace test_support {

namespace {

std::vector<std::string> request_headers(const Session& user, const Json::Value& body,
                                         std::vector<std::string> headers) {
  if (!user.access_token.empty()) headers.push_back(bearer(user.access_token));
  if (!body.isNull()) headers.emplace_back("Content-Type: application/json");
  return headers;
}

size_t append_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t store_header(char* data, size_t size, size_t n, void* out) {
  const std::string line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

}  // namespace

HttpResponse api(const Session& user, const std::string& method, const std::string& path,
                 const Json::Value& body, std::vector<std::string> headers) {
  HttpRequest request;
  request.method = method;
  request.path = path;
  request.headers = request_headers(user, body, std::move(headers));
  // A POST without a body still says Content-Length: 0 (nginx answers 411 otherwise).
  request.has_body = !body.isNull() || method != "GET";
  if (!body.isNull()) request.body = common::json::write(body);
  return http(request);
}

HttpResponse api_nothrow(const Session& user, const std::string& method, const std::string& path,
                         const Json::Value& body, std::vector<std::string> headers) {
  HttpResponse out;
  const char* base = std::getenv("E2E_BASE_URL");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (base == nullptr || !curl) {
    out.body = "no E2E_BASE_URL or no curl handle";
    return out;
  }
  const std::string url = std::string(base) + path;
  const std::string payload = body.isNull() ? std::string() : common::json::write(body);
  curl_slist* list = nullptr;
  for (const std::string& h : request_headers(user, body, std::move(headers))) {
    list = curl_slist_append(list, h.c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> guard(list, &curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  if (!body.isNull() || method != "GET") {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, payload.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(payload.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, store_header);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &out.headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    out.status = 0;
    out.body = curl_easy_strerror(rc);
    return out;
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

Json::Value catalogue_variant(const std::string& sku) {
  const Json::Value products = http_get("/api/v1/products?limit=100").json()["data"]["items"];
  for (const Json::Value& p : products) {
    if (!sku.starts_with(p["product_sku"].asString())) continue;
    const Json::Value detail =
        http_get("/api/v1/products/" + p["product_id"].asString()).json()["data"];
    for (const Json::Value& v : detail["variants"]) {
      if (v["sku"] == sku) return v;
    }
  }
  FAIL("no variant with sku " << sku << " in the first 100 products");
  return {};
}

Json::Value catalogue_variant(int64_t product_id, int64_t variant_id) {
  const HttpResponse r = http_get("/api/v1/products/" + std::to_string(product_id));
  REQUIRE(r.status == 200);
  const Json::Value detail = r.json();  // named: a range-for would not keep a temporary alive
  for (const Json::Value& v : detail["data"]["variants"]) {
    if (v["id"].asInt64() == variant_id) return v;
  }
  FAIL("variant " << variant_id << " is not in product " << product_id);
  return {};
}

CreatedVariant api_make_variant(const Session& admin, int64_t stock, int64_t price_cents) {
  CreatedVariant out;
  out.sku = "E2E-" + unique_suffix();
  Json::Value product(Json::objectValue);
  product["sku"] = out.sku;
  product["title"] = "E2E product " + out.sku;
  const HttpResponse p = api(admin, "POST", "/api/v1/admin/products", product);
  INFO(p.body);
  REQUIRE(p.status == 201);
  out.product_id = p.json()["data"]["id"].asInt64();
  Json::Value variant(Json::objectValue);
  variant["sku"] = out.sku + "-V";
  variant["price_cents"] = static_cast<Json::Int64>(price_cents);
  variant["stock"] = static_cast<Json::Int64>(stock);
  const HttpResponse v =
      api(admin, "POST", "/api/v1/admin/products/" + std::to_string(out.product_id) + "/variants",
          variant);
  INFO(v.body);
  REQUIRE(v.status == 201);
  out.variant_id = v.json()["data"]["id"].asInt64();
  out.sku += "-V";
  return out;
}

std::string e2e_database_url() {
  const std::string command =
      "STATE_DIR='" + e2e_state_dir() + "' '" + e2e_repo() + "/scripts/pg.sh' url 2>/dev/null";
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
  REQUIRE(pipe);
  std::string url;
  std::array<char, 512> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe.get()) != nullptr) url += buffer.data();
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
  REQUIRE_FALSE(url.empty());
  return url;
}

std::string e2e_redis_url() { return "unix://" + e2e_state_dir() + "/run/redis.sock"; }

std::string e2e_smtp_url() {
  std::ifstream in(e2e_state_dir() + "/smtp.port");
  std::string port;
  if (!(in >> port)) return "";
  return "smtp://127.0.0.1:" + port;
}

void e2e_flush_cache() {
  shell("redis-cli -s '" + e2e_state_dir() + "/run/redis.sock' FLUSHALL >/dev/null 2>&1");
}

common::pg::ConnectionOptions e2e_db_options() {
  common::pg::ConnectionOptions options;
  options.conninfo = e2e_database_url();
  options.roles = common::pg::Roles{common::pg::Role::kService, common::pg::Role::kTest};
  return options;
}

}  // namespace test_support
