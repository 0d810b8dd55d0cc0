// The cart and the address book over HTTP through nginx and the pool, as a
// client holding an access token sees them (API.md "Cart", "Addresses").
#include <catch2/catch.hpp>

#include "common/pg.h"
#include "tests/support/api_session.h"
#include "tests/support/invariants.h"
#include "tests/support/parallel_calls.h"

using test_support::api;
using test_support::api_nothrow;
using test_support::catalogue_variant;
using test_support::HttpResponse;
using test_support::Session;

namespace {

void check_error(const HttpResponse& r, long status, const char* code) {
  INFO(r.body);
  CHECK(r.status == status);
  const Json::Value body = r.json();
  CHECK(body["success"] == false);
  CHECK(body["error"]["code"] == code);
  CHECK(body["request_id"].asString() == r.header("x-request-id"));
}

Json::Value item(int64_t variant_id, int64_t quantity) {
  Json::Value body(Json::objectValue);
  body["variant_id"] = static_cast<Json::Int64>(variant_id);
  body["quantity"] = static_cast<Json::Int64>(quantity);
  return body;
}

Json::Value quantity(int64_t q) {
  Json::Value body(Json::objectValue);
  body["quantity"] = static_cast<Json::Int64>(q);
  return body;
}

std::string line_path(const Json::Value& line) {
  return "/api/v1/carts/me/items/" + line["cart_item_id"].asString();
}

}  // namespace

TEST_CASE("cart and address routes need an access token", "[e2e][cart]") {
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/carts/me"},
                                                        {"POST", "/api/v1/carts/me/items"},
                                                        {"PATCH", "/api/v1/carts/me/items/1"},
                                                        {"DELETE", "/api/v1/carts/me/items/1"},
                                                        {"GET", "/api/v1/addresses"},
                                                        {"POST", "/api/v1/addresses"},
                                                        {"DELETE", "/api/v1/addresses/1"}}) {
    INFO(method << " " << path);
    const HttpResponse r = api(Session{}, method, path);
    check_error(r, 401, "UNAUTHORIZED");
    CHECK(r.header("www-authenticate").find("Bearer") == 0);
  }
  Session forged;
  forged.access_token = "not.a.token";
  check_error(api(forged, "GET", "/api/v1/carts/me"), 401, "UNAUTHORIZED");
}

TEST_CASE("a cart is created on first use and answers whole after every change", "[e2e][cart]") {
  const Session user = test_support::new_user_session();
  const Json::Value shirt = catalogue_variant("CLO-TSHIRT-001-M-WHT");
  const Json::Value book = catalogue_variant("BOOK-PYFLASK-001-EBK");

  const HttpResponse empty = api(user, "GET", "/api/v1/carts/me");
  REQUIRE(empty.status == 200);
  CHECK(empty.json()["data"]["user_id"] == static_cast<Json::Int64>(user.user_id));
  CHECK(empty.json()["data"]["is_empty"] == true);

  REQUIRE(api(user, "POST", "/api/v1/carts/me/items", item(shirt["id"].asInt64(), 2)).status ==
          201);
  api(user, "POST", "/api/v1/carts/me/items", item(book["id"].asInt64(), 1));
  const HttpResponse added =
      api(user, "POST", "/api/v1/carts/me/items", item(shirt["id"].asInt64(), 1));
  REQUIRE(added.status == 201);
  const Json::Value cart = added.json()["data"];
  REQUIRE(cart["items"].size() == 2);
  const Json::Value& line = cart["items"][0];
  CHECK(line["variant_id"] == shirt["id"]);
  CHECK(line["variant_sku"] == "CLO-TSHIRT-001-M-WHT");
  CHECK(line["product_sku"] == "CLO-TSHIRT-001");
  CHECK(line["product_title"] == "Classic Cotton T-Shirt");
  CHECK(line["price_cents"] == 2999);
  CHECK(line["quantity"] == 3);
  CHECK(line["line_total_cents"] == 8997);
  CHECK(cart["total_items"] == 2);
  CHECK(cart["total_quantity"] == 4);
  CHECK(cart["total_cents"] == 8997 + 1999);

  const HttpResponse patched = api(user, "PATCH", line_path(line), quantity(5));
  REQUIRE(patched.status == 200);
  CHECK(patched.json()["data"]["items"][0]["quantity"] == 5);
  const HttpResponse removed = api(user, "DELETE", line_path(line));
  REQUIRE(removed.status == 200);
  CHECK(removed.json()["data"]["items"].size() == 1);
  const HttpResponse zeroed =
      api(user, "PATCH", line_path(removed.json()["data"]["items"][0]), quantity(0));
  REQUIRE(zeroed.status == 200);
  CHECK(zeroed.json()["data"]["is_empty"] == true);
  // A cart holds nothing back: the catalogue's stock did not move.
  CHECK(catalogue_variant("CLO-TSHIRT-001-M-WHT")["available"] == shirt["available"]);
}

TEST_CASE("cart changes are refused with the API.md errors", "[e2e][cart]") {
  const Session user = test_support::new_user_session();
  const Json::Value laptop = catalogue_variant("ELEC-LAPTOP-001-BLK");  // 10 available
  const int64_t id = laptop["id"].asInt64();

  check_error(api(user, "POST", "/api/v1/carts/me/items", item(999999999, 1)), 404, "NOT_FOUND");
  const HttpResponse bad = api(user, "POST", "/api/v1/carts/me/items", item(id, 0));
  check_error(bad, 400, "VALIDATION_ERROR");
  CHECK(bad.json()["error"]["details"].isMember("quantity"));
  test_support::HttpRequest not_json;
  not_json.method = "POST";
  not_json.path = "/api/v1/carts/me/items";
  not_json.headers = {"Authorization: Bearer " + user.access_token,
                      "Content-Type: application/json"};
  not_json.body = "{\"variant_id\": ";
  not_json.has_body = true;
  check_error(test_support::http(not_json), 400, "INVALID_JSON");

  const HttpResponse over =
      api(user, "POST", "/api/v1/carts/me/items", item(id, laptop["available"].asInt64() + 1));
  check_error(over, 409, "INSUFFICIENT_STOCK");
  CHECK(over.json()["error"]["details"][std::to_string(id)] == laptop["available"]);

  const Json::Value ebook = catalogue_variant("BOOK-PYFLASK-001-EBK");
  api(user, "POST", "/api/v1/carts/me/items", item(ebook["id"].asInt64(), 60));
  const HttpResponse capped =
      api(user, "POST", "/api/v1/carts/me/items", item(ebook["id"].asInt64(), 40));
  check_error(capped, 400, "VALIDATION_ERROR");
  CHECK(api(user, "GET", "/api/v1/carts/me").json()["data"]["items"][0]["quantity"] == 60);
  check_error(api(user, "PATCH", "/api/v1/carts/me/items/abc", quantity(1)), 404, "NOT_FOUND");
}

TEST_CASE("another user's cart line is 404 for PATCH and DELETE", "[e2e][cart]") {
  const Session alice = test_support::new_user_session();
  const Session mallory = test_support::new_user_session();
  const int64_t variant = catalogue_variant("BOOK-PYFLASK-001-PBK")["id"].asInt64();
  const Json::Value line =
      api(alice, "POST", "/api/v1/carts/me/items", item(variant, 1)).json()["data"]["items"][0];

  check_error(api(mallory, "PATCH", line_path(line), quantity(7)), 404, "NOT_FOUND");
  check_error(api(mallory, "DELETE", line_path(line)), 404, "NOT_FOUND");
  CHECK(api(alice, "GET", "/api/v1/carts/me").json()["data"]["items"][0]["quantity"] == 1);
}

TEST_CASE("concurrent adds to one line over HTTP lose nothing", "[e2e][cart][concurrency]") {
  const Session user = test_support::new_user_session();
  const int64_t variant = catalogue_variant("BOOK-PYFLASK-001-EBK")["id"].asInt64();
  constexpr int kClients = 12;
  std::vector<long> statuses(kClients);
  test_support::run_concurrently(kClients, [&](int i) {
    statuses[static_cast<size_t>(i)] =
        api_nothrow(user, "POST", "/api/v1/carts/me/items", item(variant, 2)).status;
  });
  for (const long s : statuses) CHECK(s == 201);
  const Json::Value cart = api(user, "GET", "/api/v1/carts/me").json()["data"];
  REQUIRE(cart["items"].size() == 1);
  CHECK(cart["items"][0]["quantity"] == 2 * kClients);

  common::pg::Connection db(test_support::e2e_db_options());
  test_support::require_stock_invariants(db);
}

TEST_CASE("addresses are created, listed and deleted, and another user's are 404",
          "[e2e][addresses]") {
  const Session user = test_support::new_user_session();
  const Session other = test_support::new_user_session();
  Json::Value address(Json::objectValue);
  address["line1"] = "1 Main St";
  address["city"] = "Springfield";
  address["country"] = "us";
  address["postal_code"] = "12345";

  const HttpResponse created = api(user, "POST", "/api/v1/addresses", address);
  INFO(created.body);
  REQUIRE(created.status == 201);
  const Json::Value a = created.json()["data"];
  CHECK(a["id"].asInt64() > 0);
  CHECK(a["country"] == "US");
  CHECK(a["line2"].isNull());
  CHECK(a["created_at"].asString().ends_with("+00:00"));

  const Json::Value listed = api(user, "GET", "/api/v1/addresses").json()["data"]["items"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0] == a);
  CHECK(api(other, "GET", "/api/v1/addresses").json()["data"]["items"].empty());

  const std::string path = "/api/v1/addresses/" + a["id"].asString();
  check_error(api(other, "DELETE", path), 404, "NOT_FOUND");
  const HttpResponse deleted = api(user, "DELETE", path);
  CHECK(deleted.status == 204);
  CHECK(deleted.body.empty());
  check_error(api(user, "DELETE", path), 404, "NOT_FOUND");

  address["country"] = "XX";
  address.removeMember("city");
  const HttpResponse invalid = api(user, "POST", "/api/v1/addresses", address);
  check_error(invalid, 400, "VALIDATION_ERROR");
  CHECK(invalid.json()["error"]["details"].isMember("country"));
  CHECK(invalid.json()["error"]["details"].isMember("city"));
}
