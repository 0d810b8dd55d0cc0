// The request of an inventory sync (API.md "Background jobs and
// notifications", POST /api/v1/admin/inventory/sync): counted stock per sku
// from an outside system. The same parser reads the HTTP body and, again, the
// payload of the inventory.sync job that carries it, so a job holds only what
// the endpoint would have accepted.
//
//   {"items": [{"sku": "ELEC-LAPTOP-001-SLV", "on_hand": 30}, ...], "source": "wms-east"}
//
// Rules: `items` is 1..kMaxSyncItems objects, each with a `sku` (1..64 of
// [A-Za-z0-9._-], as the catalogue spells it) and an `on_hand` integer
// 0..kMaxOnHand; a sku may appear once per request (a second occurrence is a
// validation error naming it, since two counts for one variant leave no
// answer to which one holds); `source` is 1..64 of the same alphabet,
// default "api". Unknown fields are ignored.
#pragma once

#include <json/value.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace services {

inline constexpr size_t kMaxSyncItems = 1000;
inline constexpr int64_t kMaxOnHand = 1'000'000'000;
inline constexpr size_t kMaxSyncSourceChars = 64;
inline constexpr const char* kDefaultSyncSource = "api";

struct InventoryCount {
  std::string sku;
  int64_t on_hand = 0;  // units physically there: what available + reserved should be
};

struct InventorySyncRequest {
  std::vector<InventoryCount> items;  // in request order, no sku twice
  std::string source = kDefaultSyncSource;
};

// Throws AppError(kValidationError) whose details name every bad field:
// "items", "items[3]" (not an object), "items[3].sku", "items[3].on_hand",
// "source".
InventorySyncRequest parse_inventory_sync(const Json::Value& body);

// {items: [{sku, on_hand}], source}: the job's payload, which
// parse_inventory_sync() reads back to the same request.
Json::Value to_json(const InventorySyncRequest& request);

}  // namespace services
