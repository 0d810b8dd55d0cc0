// The public catalogue over HTTP through real nginx and the pool, against the
// seeded database of the e2e stack (sql/seed.sql). Other e2e tests add
// products to the same database, so assertions look at the seeded products
// and never at exact totals.
#include <catch2/catch.hpp>
#include <set>

#include "tests/support/http_client.h"

using test_support::http;
using test_support::http_get;
using test_support::HttpRequest;

namespace {

const std::set<std::string> kSeededSkus = {"ELEC-LAPTOP-001", "ELEC-PHONE-002", "CLO-TSHIRT-001",
                                           "BOOK-PYFLASK-001"};

// The seeded products among the items of a product list answer.
std::set<std::string> seeded_skus_in(const Json::Value& items) {
  std::set<std::string> out;
  for (const auto& item : items) {
    if (kSeededSkus.contains(item["product_sku"].asString()))
      out.insert(item["product_sku"].asString());
  }
  return out;
}

// The seeded product with this sku, from the list (ids are not assumed).
Json::Value seeded_product(const std::string& sku) {
  const Json::Value items = http_get("/api/v1/products?limit=100").json()["data"]["items"];
  for (const auto& item : items) {
    if (item["product_sku"] == sku) return item;
  }
  FAIL("seeded product " << sku << " is not listed");
  return {};
}

void check_error(const test_support::HttpResponse& r, long status, const char* code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.header("content-type").find("application/json") == 0);
  const Json::Value body = r.json();
  CHECK(body["success"] == false);
  CHECK(body["error"]["code"] == code);
  CHECK(body["error"]["message"].isString());
  CHECK(body["request_id"].isString());
  CHECK(body["request_id"].asString() == r.header("x-request-id"));
}

}  // namespace

TEST_CASE("the seeded catalogue is listed with the API.md shape", "[e2e][catalog]") {
  const auto r = http_get("/api/v1/products");
  REQUIRE(r.status == 200);
  const Json::Value body = r.json();
  CHECK(body["success"] == true);
  CHECK(body["timestamp"].isString());
  const Json::Value& items = body["data"]["items"];
  CHECK(seeded_skus_in(items) == kSeededSkus);  // the seed's ids come first
  const Json::Value laptop = seeded_product("ELEC-LAPTOP-001");
  CHECK(laptop["title"] == "ProBook Laptop 15");
  CHECK(laptop["min_price_cents"] == 129999);
  CHECK(laptop["variant_count"] == 2);
  CHECK(laptop["total_available"] == 35);
  CHECK(laptop["in_stock"] == true);
  CHECK(body["data"]["pagination"]["count"].asUInt() == items.size());
  CHECK(body["data"]["pagination"]["limit"] == 20);
  CHECK(body["data"]["pagination"]["has_more"].isBool());
}

TEST_CASE("keyset pages chain through the whole catalogue without repeats", "[e2e][catalog]") {
  const Json::Value all = http_get("/api/v1/products?limit=100").json()["data"];
  REQUIRE(all["pagination"]["has_more"] == false);
  const int total = static_cast<int>(all["items"].size());
  REQUIRE(total >= 4);
  std::vector<int64_t> seen;
  std::string path = "/api/v1/products?limit=1";
  int pages = 0;
  for (;;) {
    const Json::Value data = http_get(path).json()["data"];
    REQUIRE(data["items"].size() == 1);
    const int64_t id = data["items"][0]["product_id"].asInt64();
    if (!seen.empty()) CHECK(id > seen.back());  // ascending, hence no repeats
    seen.push_back(id);
    ++pages;
    if (!data["pagination"]["has_more"].asBool()) {
      CHECK(data["pagination"]["cursor"].isNull());
      break;
    }
    CHECK(data["pagination"]["cursor"] == data["items"][0]["product_id"]);
    path = "/api/v1/products?limit=1&after=" + data["pagination"]["cursor"].asString();
    REQUIRE(pages <= total);
  }
  CHECK(pages == total);
}

TEST_CASE("product filters narrow the list", "[e2e][catalog]") {
  const Json::Value categories = http_get("/api/v1/categories").json()["data"]["items"];
  REQUIRE(categories.size() >= 3);
  int64_t electronics = 0;
  for (const auto& c : categories) {
    if (c["name"] == "Electronics") electronics = c["id"].asInt64();
  }
  REQUIRE(electronics > 0);

  auto skus = [](const std::string& query) {
    const auto r = http_get("/api/v1/products?limit=100&" + query);
    REQUIRE(r.status == 200);
    return seeded_skus_in(r.json()["data"]["items"]);
  };
  CHECK(skus("category_id=" + std::to_string(electronics)) ==
        std::set<std::string>{"ELEC-LAPTOP-001", "ELEC-PHONE-002"});
  CHECK(skus("q=probook") == std::set<std::string>{"ELEC-LAPTOP-001"});
  CHECK(skus("q=%25%25").empty());  // '%' is matched literally, not as a wildcard
  CHECK(skus("q=__").empty());
  CHECK(skus("max_price_cents=2999") ==
        std::set<std::string>{"CLO-TSHIRT-001", "BOOK-PYFLASK-001"});
  CHECK(skus("min_price_cents=80000") == std::set<std::string>{"ELEC-LAPTOP-001"});
  CHECK(skus("min_price_cents=79999&max_price_cents=79999") ==
        std::set<std::string>{"ELEC-PHONE-002"});
  CHECK(skus("has_inventory=true") == kSeededSkus);
  CHECK(skus("has_inventory=0").empty());
  CHECK(skus("category_id=999999").empty());
}

TEST_CASE("bad list parameters are 400 VALIDATION_ERROR naming each one", "[e2e][catalog]") {
  const auto r = http_get("/api/v1/products?limit=500&has_inventory=maybe&q=x");
  check_error(r, 400, "VALIDATION_ERROR");
  const Json::Value details = r.json()["error"]["details"];
  CHECK(details.isMember("limit"));
  CHECK(details.isMember("has_inventory"));
  CHECK(details.isMember("q"));
}

TEST_CASE("product detail has variants by id with stock", "[e2e][catalog]") {
  const int64_t id = seeded_product("ELEC-LAPTOP-001")["product_id"].asInt64();
  const auto r = http_get("/api/v1/products/" + std::to_string(id));
  REQUIRE(r.status == 200);
  const Json::Value p = r.json()["data"];
  CHECK(p["id"] == static_cast<Json::Int64>(id));
  CHECK(p["sku"] == "ELEC-LAPTOP-001");
  CHECK(p["description"] == "15-inch laptop, 16 GB RAM, 512 GB SSD.");
  CHECK(p["created_at"].asString().ends_with("+00:00"));
  REQUIRE(p["variants"].size() == 2);
  CHECK(p["variants"][0]["id"].asInt64() < p["variants"][1]["id"].asInt64());
  CHECK(p["variants"][0]["sku"] == "ELEC-LAPTOP-001-SLV");
  CHECK(p["variants"][0]["price_cents"] == 129999);
  CHECK(p["variants"][0]["attributes"]["color"] == "silver");
  CHECK(p["variants"][0]["attributes"]["storage_gb"] == 512);
  CHECK(p["variants"][0]["available"] == 25);
  CHECK(p["variants"][0]["in_stock"] == true);
  CHECK(p["min_price_cents"] == 129999);
  CHECK(p["max_price_cents"] == 134999);
  CHECK(p["total_available"] == 35);
}

TEST_CASE("unknown and malformed product ids are 404 in the envelope", "[e2e][catalog]") {
  check_error(http_get("/api/v1/products/999999999"), 404, "NOT_FOUND");
  check_error(http_get("/api/v1/products/abc"), 404, "NOT_FOUND");
  check_error(http_get("/api/v1/products/0"), 404, "NOT_FOUND");
  check_error(http_get("/api/v1/products/-3"), 404, "NOT_FOUND");
  check_error(http_get("/api/v1/nothing-here"), 404, "NOT_FOUND");
}

TEST_CASE("a known path with the wrong method is 405 with Allow", "[e2e][catalog]") {
  HttpRequest req;
  req.method = "DELETE";
  req.path = "/api/v1/products";
  const auto r = http(req);
  check_error(r, 405, "METHOD_NOT_ALLOWED");
  CHECK(r.header("allow") == "GET");
}

TEST_CASE("catalogue answers carry an ETag and honour If-None-Match", "[e2e][catalog]") {
  for (const std::string path : {"/api/v1/products", "/api/v1/categories"}) {
    INFO(path);
    const auto first = http_get(path);
    const std::string etag = first.header("etag");
    REQUIRE_FALSE(etag.empty());
    const auto again = http_get(path, {"If-None-Match: " + etag});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    CHECK(http_get(path, {"If-None-Match: \"stale\""}).status == 200);
  }
}

TEST_CASE("every answer carries X-Request-Id, kept from the client when sane", "[e2e][http]") {
  const auto kept = http_get("/api/v1/categories", {"X-Request-Id: my-trace-123"});
  CHECK(kept.header("x-request-id") == "my-trace-123");
  const auto replaced = http_get("/api/v1/products/0", {"X-Request-Id: bad id;drop"});
  CHECK_FALSE(replaced.header("x-request-id").empty());
  CHECK(replaced.header("x-request-id") != "bad id;drop");
  CHECK(replaced.json()["request_id"].asString() == replaced.header("x-request-id"));
}

TEST_CASE("a body over the limit is 413 PAYLOAD_TOO_LARGE from nginx", "[e2e][http]") {
  HttpRequest req;
  req.method = "POST";
  req.path = "/api/v1/products";
  req.headers = {"Content-Type: application/json"};
  req.body = std::string(70 * 1024, 'x');
  req.has_body = true;
  check_error(http(req), 413, "PAYLOAD_TOO_LARGE");
}

TEST_CASE("health reports the database and the version", "[e2e][health]") {
  const auto r = http_get("/health");
  REQUIRE(r.status == 200);
  const Json::Value body = r.json();
  CHECK(body["status"] == "ok");
  CHECK(body["database"] == "reachable");
  CHECK(body["cache"] == "reachable");  // the e2e stack runs its own Redis
  CHECK(body["version"].isString());
  CHECK_FALSE(body.isMember("success"));  // a probe, not the envelope
}
