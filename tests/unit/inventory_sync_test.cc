// The inventory sync's request parser (services/inventory_sync_request.h) and
// its plan (services/inventory_sync_service.h), pure.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/json.h"
#include "tests/support/validation.h"
#include "workers/services/inventory_sync_request.h"
#include "workers/services/inventory_sync_service.h"

namespace {

Json::Value body(const std::string& json) { return common::json::parse_object(json); }

Json::Value details_of(const std::string& json) {
  return test_support::validation_details(
      [&] { (void)services::parse_inventory_sync(body(json)); });
}

// `n` items {"sku": "S-<i>", "on_hand": 1}, as JSON text.
std::string items(size_t n) {
  std::string out = "[";
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out += ',';
    out += R"({"sku": "S-)" + std::to_string(i) + R"(", "on_hand": 1})";
  }
  return out + "]";
}

}  // namespace

TEST_CASE("inventory sync: items of sku and on_hand, source defaults to api", "[unit][inventory]") {
  const auto r = services::parse_inventory_sync(
      body(R"({"items": [{"sku": "A-1", "on_hand": 0}, {"sku": "b.2_x", "on_hand": 1000000000,
                          "note": "ignored"}]})"));
  REQUIRE(r.items.size() == 2);
  CHECK(r.items[0].sku == "A-1");
  CHECK(r.items[0].on_hand == 0);
  CHECK(r.items[1].sku == "b.2_x");
  CHECK(r.items[1].on_hand == 1000000000);
  CHECK(r.source == "api");
  CHECK(services::parse_inventory_sync(
            body(R"({"items": [{"sku": "A", "on_hand": 1}], "source": "wms-east.2"})"))
            .source == "wms-east.2");
  CHECK(services::parse_inventory_sync(body(R"({"items": )" + items(1000) + "}")).items.size() ==
        1000);
}

TEST_CASE("inventory sync: the payload it enqueues parses back to the same request",
          "[unit][inventory]") {
  const auto r = services::parse_inventory_sync(body(
      R"({"items": [{"sku": "A", "on_hand": 3}, {"sku": "B", "on_hand": 0}], "source": "x"})"));
  const auto again = services::parse_inventory_sync(services::to_json(r));
  REQUIRE(again.items.size() == 2);
  CHECK(again.items[0].sku == "A");
  CHECK(again.items[0].on_hand == 3);
  CHECK(again.items[1].sku == "B");
  CHECK(again.source == "x");
}

TEST_CASE("inventory sync: each bad item is named by its position", "[unit][inventory]") {
  struct Case {
    const char* json;
    std::vector<const char*> fields;
  };
  const std::vector<Case> cases = {
      {"{}", {"items"}},
      {R"({"items": []})", {"items"}},
      {R"({"items": {"sku": "A", "on_hand": 1}})", {"items"}},
      {R"({"items": [5]})", {"items[0]"}},
      {R"({"items": [{"on_hand": 1}]})", {"items[0].sku"}},
      {R"({"items": [{"sku": "A"}]})", {"items[0].on_hand"}},
      {R"({"items": [{"sku": "A", "on_hand": 1}, {"sku": "has space", "on_hand": -1}]})",
       {"items[1].sku", "items[1].on_hand"}},
      {R"({"items": [{"sku": "A", "on_hand": 1.5}, {"sku": "B", "on_hand": "2"},
                     {"sku": "C", "on_hand": true}, {"sku": "D", "on_hand": 1000000001}]})",
       {"items[0].on_hand", "items[1].on_hand", "items[2].on_hand", "items[3].on_hand"}},
      {R"({"items": [{"sku": "", "on_hand": 1}, {"sku": 7, "on_hand": 1}]})",
       {"items[0].sku", "items[1].sku"}},
      {R"({"items": [{"sku": "A", "on_hand": 1}], "source": ""})", {"source"}},
      {R"({"items": [{"sku": "A", "on_hand": 1}], "source": "a/b"})", {"source"}},
      {R"({"items": [{"sku": "A", "on_hand": 1}], "source": 3})", {"source"}},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    const Json::Value d = details_of(c.json);
    CHECK(d.size() == c.fields.size());
    for (const char* field : c.fields) CHECK(d.isMember(field));
  }
  CHECK(details_of(R"({"items": )" + items(1001) + "}").isMember("items"));
  CHECK(details_of(R"({"items": [{"sku": ")" + std::string(65, 'x') + R"(", "on_hand": 1}]})")
            .isMember("items[0].sku"));
  CHECK(details_of(R"({"items": [{"sku": "A", "on_hand": 1}], "source": ")" + std::string(65, 'x') +
                   "\"}")
            .isMember("source"));
}

TEST_CASE("inventory sync: a sku given twice is a validation error naming the repeat",
          "[unit][inventory]") {
  const Json::Value d = details_of(
      R"({"items": [{"sku": "A", "on_hand": 1}, {"sku": "B", "on_hand": 1},
                    {"sku": "A", "on_hand": 2}]})");
  REQUIRE(d.size() == 1);
  CHECK(d["items[2].sku"] == "repeats items[0].sku");
}

TEST_CASE("inventory sync plan: available + reserved = on_hand, reserved untouched",
          "[unit][inventory]") {
  services::InventorySyncRequest request;
  request.items = {{"UP", 12}, {"GONE", 5}, {"SAME", 7}, {"SHORT", 1}, {"DOWN", 3}};
  const std::vector<repo::SkuStock> stock = {
      {1, "UP", 5, 2}, {2, "SAME", 4, 3}, {3, "SHORT", 6, 4}, {4, "DOWN", 9, 0}};
  const auto plan = services::plan_inventory_sync(request, stock);
  const std::vector<services::SyncApplied> applied = {
      {"UP", 1, 5, 10}, {"SAME", 2, 4, 4}, {"SHORT", 3, 6, 0}, {"DOWN", 4, 9, 3}};
  CHECK(plan.applied == applied);
  CHECK(plan.unknown_skus == std::vector<std::string>{"GONE"});
  CHECK(plan.conflicts == std::vector<services::SyncConflict>{{"SHORT", 1, 4}});

  const auto changes = services::available_changes(plan);
  REQUIRE(changes.size() == 3);  // SAME is at its count already
  CHECK(changes[0].variant_id == 1);
  CHECK(changes[0].delta == 5);
  CHECK(changes[1].variant_id == 3);
  CHECK(changes[1].delta == -6);
  CHECK(changes[2].variant_id == 4);
  CHECK(changes[2].delta == -6);

  const Json::Value json = services::to_json(plan);
  CHECK(json["applied"][0] == common::json::parse_object(
                                  R"({"sku": "UP", "variant_id": 1, "available_before": 5,
                                      "available_after": 10})"));
  CHECK(json["unknown_skus"][0] == "GONE");
  CHECK(json["conflicts"][0] ==
        common::json::parse_object(R"({"sku": "SHORT", "on_hand": 1, "reserved": 4})"));
  CHECK(services::sync_reason("wms") == "sync:wms");
}
