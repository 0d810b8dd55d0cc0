// Catalogue administration over HTTP (API.md "Administration"): only admins,
// and what they write is what the next public GET shows.
#include <catch2/catch.hpp>
#include <string>

#include "common/json.h"
#include "tests/support/api_session.h"
#include "tests/support/e2e_auth.h"
#include "tests/support/factories.h"
#include "tests/support/http_client.h"

using test_support::bearer;
using test_support::http_get;
using test_support::send_json;

namespace {

// The catalogue e2e tests count the seeded rows: whatever these tests add is
// deleted again (through the stack's own database) when they end.
class CatalogCleanup {
 public:
  explicit CatalogCleanup(std::string prefix) : prefix_(std::move(prefix)) {}
  ~CatalogCleanup() {
    const std::string sql = "DELETE FROM products WHERE sku LIKE '" + prefix_ +
                            "%'; DELETE FROM categories WHERE name LIKE '" + prefix_ + "%';";
    test_support::shell("STATE_DIR='" + test_support::e2e_state_dir() + "' '" +
                        test_support::e2e_repo() + "/scripts/pg.sh' psql -c \"" + sql +
                        "\" >/dev/null 2>&1");
    test_support::e2e_flush_cache();  // the rows went without an invalidation
  }
  CatalogCleanup(const CatalogCleanup&) = delete;
  CatalogCleanup& operator=(const CatalogCleanup&) = delete;

 private:
  std::string prefix_;
};

std::string prefix() {
  std::string p = "E2E-ADM-" + test_support::unique_suffix() + "-";
  return p;
}

void check_error(const test_support::HttpResponse& r, long status, const char* code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.json()["error"]["code"] == code);
}

}  // namespace

TEST_CASE("admin routes: 401 without a token, 403 for a user", "[e2e][admin]") {
  const auto user = test_support::new_user_session();
  const std::string body = R"({"name": "Never"})";
  const auto anonymous = send_json("POST", "/api/v1/admin/categories", body);
  check_error(anonymous, 401, "UNAUTHORIZED");
  CHECK(anonymous.header("www-authenticate").rfind("Bearer", 0) == 0);
  check_error(send_json("POST", "/api/v1/admin/categories", body, user.access_token), 403,
              "FORBIDDEN");
  check_error(
      send_json("POST", "/api/v1/admin/variants/1/stock", R"({"delta": 1})", user.access_token),
      403, "FORBIDDEN");
  check_error(send_json("PATCH", "/api/v1/admin/products/1", R"({"title": "x"})"), 401,
              "UNAUTHORIZED");
}

TEST_CASE("an admin creates a product with variants and stock that the catalogue shows",
          "[e2e][admin]") {
  const std::string p = prefix();
  CatalogCleanup cleanup(p);
  const auto admin = test_support::admin_session();
  const std::string& token = admin.access_token;

  const auto category =
      send_json("POST", "/api/v1/admin/categories", R"({"name": ")" + p + R"(Garden"})", token);
  REQUIRE(category.status == 201);
  const Json::Value cat = category.json()["data"];
  bool listed = false;
  const Json::Value categories = http_get("/api/v1/categories").json()["data"]["items"];
  for (const auto& c : categories) {
    if (c == cat) listed = true;
  }
  CHECK(listed);

  const auto product = send_json("POST", "/api/v1/admin/products",
                                 R"({"sku": ")" + p +
                                     R"(HOSE", "title": "Garden Hose", )"
                                     R"("description": "20 m", "category_id": )" +
                                     cat["id"].asString() + "}",
                                 token);
  REQUIRE(product.status == 201);
  const std::string id = product.json()["data"]["id"].asString();
  CHECK(product.json()["data"]["variants"].empty());

  const auto green = send_json("POST", "/api/v1/admin/products/" + id + "/variants",
                               R"({"sku": ")" + p +
                                   R"(HOSE-GRN", "price_cents": 2499, )"
                                   R"("attributes": {"color": "green"}, "stock": 7})",
                               token);
  REQUIRE(green.status == 201);
  CHECK(green.json()["data"]["available"] == 7);
  const auto blue =
      send_json("POST", "/api/v1/admin/products/" + id + "/variants",
                R"({"sku": ")" + p + R"(HOSE-BLU", "price_cents": 1999, "stock": 3})", token);
  REQUIRE(blue.status == 201);

  const auto detail = http_get("/api/v1/products/" + id);
  REQUIRE(detail.status == 200);
  const Json::Value d = detail.json()["data"];
  CHECK(d["title"] == "Garden Hose");
  CHECK(d["category_id"] == cat["id"]);
  REQUIRE(d["variants"].size() == 2);
  CHECK(d["variants"][0] == green.json()["data"]);
  CHECK(d["variants"][1] == blue.json()["data"]);
  CHECK(d["total_available"] == 10);
  CHECK(d["min_price_cents"] == 1999);

  const auto listing = http_get("/api/v1/products?category_id=" + cat["id"].asString());
  REQUIRE(listing.json()["data"]["items"].size() == 1);
  CHECK(listing.json()["data"]["items"][0]["total_available"] == 10);
  CHECK(listing.json()["data"]["items"][0]["variant_count"] == 2);

  // A change is visible to the next read, ETag and all.
  const std::string etag = detail.header("etag");
  const std::string green_id = green.json()["data"]["id"].asString();
  const auto restock = send_json("POST", "/api/v1/admin/variants/" + green_id + "/stock",
                                 R"({"delta": 5, "reason": "delivery"})", token);
  REQUIRE(restock.status == 200);
  CHECK(restock.json()["data"]["available"] == 12);
  const auto after = http_get("/api/v1/products/" + id, {"If-None-Match: " + etag});
  CHECK(after.status == 200);
  CHECK(after.json()["data"]["total_available"] == 15);

  const auto repriced =
      send_json("PATCH", "/api/v1/admin/variants/" + green_id, R"({"price_cents": 2299})", token);
  REQUIRE(repriced.status == 200);
  const auto renamed =
      send_json("PATCH", "/api/v1/admin/products/" + id, R"({"title": "Garden Hose 20 m"})", token);
  REQUIRE(renamed.status == 200);
  const Json::Value now = http_get("/api/v1/products/" + id).json()["data"];
  CHECK(now["title"] == "Garden Hose 20 m");
  CHECK(now["variants"][0]["price_cents"] == 2299);
  CHECK(now == renamed.json()["data"]);
}

TEST_CASE("admin write errors: 400 details, 404, 409 CONFLICT and INSUFFICIENT_STOCK",
          "[e2e][admin]") {
  const std::string p = prefix();
  CatalogCleanup cleanup(p);
  const std::string token = test_support::admin_session().access_token;

  const auto bad = send_json("POST", "/api/v1/admin/products",
                             R"({"sku": "has space", "category_id": "1"})", token);
  check_error(bad, 400, "VALIDATION_ERROR");
  CHECK(bad.json()["error"]["details"].isMember("sku"));
  CHECK(bad.json()["error"]["details"].isMember("title"));
  CHECK(bad.json()["error"]["details"].isMember("category_id"));
  const auto no_category = send_json(
      "POST", "/api/v1/admin/products",
      R"({"sku": ")" + p + R"(X", "title": "X", "category_id": 9223372036854775807})", token);
  check_error(no_category, 400, "VALIDATION_ERROR");
  CHECK(no_category.json()["error"]["details"].isMember("category_id"));

  const auto product = send_json("POST", "/api/v1/admin/products",
                                 R"({"sku": ")" + p + R"(P", "title": "P"})", token);
  REQUIRE(product.status == 201);
  const std::string id = product.json()["data"]["id"].asString();
  check_error(send_json("POST", "/api/v1/admin/products",
                        R"({"sku": ")" + p + R"(P", "title": "Q"})", token),
              409, "CONFLICT");
  check_error(
      send_json("PATCH", "/api/v1/admin/products/9223372036854775807", R"({"title": "Q"})", token),
      404, "NOT_FOUND");

  const auto variant =
      send_json("POST", "/api/v1/admin/products/" + id + "/variants",
                R"({"sku": ")" + p + R"(P-1", "price_cents": 100, "stock": 2})", token);
  REQUIRE(variant.status == 201);
  const std::string vid = variant.json()["data"]["id"].asString();
  check_error(send_json("POST", "/api/v1/admin/products/" + id + "/variants",
                        R"({"sku": ")" + p + R"(P-1", "price_cents": 100})", token),
              409, "CONFLICT");
  const auto short_stock =
      send_json("POST", "/api/v1/admin/variants/" + vid + "/stock", R"({"delta": -3})", token);
  check_error(short_stock, 409, "INSUFFICIENT_STOCK");
  CHECK(short_stock.json()["error"]["details"][vid] == 2);
  check_error(
      send_json("POST", "/api/v1/admin/variants/" + vid + "/stock", R"({"delta": 0})", token), 400,
      "VALIDATION_ERROR");
  check_error(send_json("POST", "/api/v1/admin/variants/9223372036854775807/stock",
                        R"({"delta": 1})", token),
              404, "NOT_FOUND");
  CHECK(http_get("/api/v1/products/" + id).json()["data"]["total_available"] == 2);
}
