// The order's JSON (the checkout shape plus events), the order list page and
// its query parameters.
#include <catch2/catch.hpp>

#include "workers/handlers/list_requests.h"
#include "workers/services/order_service.h"

using common::AppError;
using common::ErrorCode;

namespace {

repo::OrderDetail sample_order() {
  repo::OrderDetail d;
  d.order = {42,
             3,
             "paid",
             8997,
             "USD",
             9,
             std::nullopt,
             "pay-1",
             "2026-11-25T10:15:30.000000+00:00",
             "2026-11-25T10:16:00.000000+00:00"};
  d.items = {{1, 5, "TS-M", "TS", "T-Shirt", R"({"size":"M"})", 2999, 3, 8997},
             {2, std::nullopt, std::nullopt, std::nullopt, std::nullopt, "{}", 100, 1, 100}};
  d.events = {{1, std::nullopt, "created", 3, std::nullopt, "2026-11-25T10:15:30.000000+00:00"},
              {2, "created", "paid", 3, std::nullopt, "2026-11-25T10:16:00.000000+00:00"},
              {3, "paid", "shipped", 1, std::nullopt, "2026-11-25T10:17:00.000000+00:00"},
              {4, "shipped", "shipped", std::nullopt, "payment_timeout",
               "2026-11-25T10:18:00.000000+00:00"}};
  return d;
}

}  // namespace

TEST_CASE("an order renders in the checkout shape with its events", "[unit][orders]") {
  const Json::Value o = services::order_json(sample_order());
  CHECK(o["order_id"] == 42);
  CHECK(o["status"] == "paid");
  CHECK(o["total_cents"] == 8997);
  CHECK(o["currency"] == "USD");
  CHECK(o["item_count"] == 2);
  CHECK(o["shipping_address_id"] == 9);
  CHECK(o["billing_address_id"].isNull());
  CHECK(o["payment_reference"] == "pay-1");
  CHECK(o["created_at"] == "2026-11-25T10:15:30.000000+00:00");
  REQUIRE(o["items"].size() == 2);
  const Json::Value& item = o["items"][0];
  CHECK(item["order_item_id"] == 1);
  CHECK(item["variant_id"] == 5);
  CHECK(item["variant_sku"] == "TS-M");
  CHECK(item["product_sku"] == "TS");
  CHECK(item["product_title"] == "T-Shirt");
  CHECK(item["attributes"]["size"] == "M");
  CHECK(item["unit_price_cents"] == 2999);
  CHECK(item["quantity"] == 3);
  CHECK(item["subtotal_cents"] == 8997);
  // A line whose variant was deleted keeps its price and quantity.
  CHECK(o["items"][1]["variant_id"].isNull());
  CHECK(o["items"][1]["attributes"].isObject());
  REQUIRE(o["events"].size() == 4);
  CHECK(o["events"][0]["from_status"].isNull());
  CHECK(o["events"][0]["to_status"] == "created");
  CHECK(o["events"][0]["actor"] == "customer");
  CHECK(o["events"][2]["actor"] == "admin");  // staff ids are not shown to customers
  CHECK(o["events"][3]["actor"] == "system");
  CHECK(o["events"][0]["reason"].isNull());
  CHECK(o["events"][3]["reason"] == "payment_timeout");
  CHECK_FALSE(o["events"][0].isMember("actor_user_id"));
}

TEST_CASE("an order page points its cursor at the last (oldest) order shown", "[unit][orders]") {
  const std::vector<repo::OrderSummary> rows = {{9, "created", 100, "USD", 1, "t9"},
                                                {7, "paid", 200, "USD", 2, "t7"},
                                                {4, "shipped", 300, "EUR", 1, "t4"}};
  const Json::Value page = services::order_page_json(rows, 2);
  REQUIRE(page["items"].size() == 2);
  CHECK(page["items"][0]["order_id"] == 9);
  CHECK(page["items"][1]["item_count"] == 2);
  CHECK(page["pagination"]["has_more"] == true);
  CHECK(page["pagination"]["cursor"] == 7);
  CHECK(page["pagination"]["count"] == 2);
  CHECK(page["pagination"]["limit"] == 2);
  const Json::Value last = services::order_page_json({rows[2]}, 2);
  CHECK(last["pagination"]["has_more"] == false);
  CHECK(last["pagination"]["cursor"].isNull());
}

TEST_CASE("order list parameters: limit 1..100 (default 20) and a positive cursor",
          "[unit][orders]") {
  const auto defaults = handlers::order_list_request(common::QueryParams::parse(""));
  CHECK(defaults.limit == 20);
  CHECK_FALSE(defaults.after);
  const auto given = handlers::order_list_request(common::QueryParams::parse("limit=100&after=17"));
  CHECK(given.limit == 100);
  CHECK(given.after == 17);
  for (const char* bad : {"limit=0", "limit=101", "limit=x", "after=0", "after=-1", "after=1e3",
                          "limit=", "after=99999999999999999999"}) {
    INFO(bad);
    try {
      handlers::order_list_request(common::QueryParams::parse(bad));
      FAIL("accepted " << bad);
    } catch (const AppError& e) {
      CHECK(e.code() == ErrorCode::kValidationError);
    }
  }
}

TEST_CASE("pay needs a payment reference", "[unit][orders]") {
  Json::Value body(Json::objectValue);
  body["payment_reference"] = "sim-123";
  CHECK(services::parse_payment_reference(body) == "sim-123");
  for (const Json::Value& bad : {Json::Value(Json::objectValue), Json::Value(7), Json::Value("")}) {
    Json::Value b(Json::objectValue);
    if (!bad.isObject()) b["payment_reference"] = bad;
    try {
      services::parse_payment_reference(b);
      FAIL("accepted " << b.toStyledString());
    } catch (const AppError& e) {
      CHECK(e.details().isMember("payment_reference"));
    }
  }
}
