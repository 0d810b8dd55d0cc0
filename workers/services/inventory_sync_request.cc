#include "workers/services/inventory_sync_request.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "common/error.h"
#include "common/json.h"
#include "workers/services/sku.h"

namespace services {

namespace {

using common::FieldErrors;

bool sku_alphabet(const std::string& s) { return std::all_of(s.begin(), s.end(), is_sku_char); }

// The field readers of common/json.h name the problem after the member they
// read; an item's member is reported by its path ("items[3].on_hand"), so it
// is read from a one-member object under that name.
Json::Value as_field(const std::string& path, const Json::Value& value) {
  Json::Value holder(Json::objectValue);
  holder[path] = value;
  return holder;
}

std::optional<InventoryCount> parse_item(const Json::Value& item, const std::string& path,
                                         FieldErrors& errors) {
  if (!item.isObject()) {
    errors.add(path, "must be an object with sku and on_hand");
    return std::nullopt;
  }
  const std::string sku_path = path + ".sku";
  const std::string on_hand_path = path + ".on_hand";
  std::optional<std::string> sku = common::json::get_string(
      as_field(sku_path, item["sku"]), sku_path.c_str(), 1, kMaxSkuChars, errors);
  if (!sku && item["sku"].isNull()) errors.add(sku_path, "is required");
  if (sku && !sku_alphabet(*sku)) {
    errors.add(sku_path, "may contain only letters, digits, '.', '_' and '-'");
    sku.reset();
  }
  const std::optional<int64_t> on_hand = common::json::get_int(
      as_field(on_hand_path, item["on_hand"]), on_hand_path.c_str(), 0, kMaxOnHand, errors);
  if (!on_hand && item["on_hand"].isNull()) errors.add(on_hand_path, "is required");
  if (!sku || !on_hand) return std::nullopt;
  return InventoryCount{*sku, *on_hand};
}

}  // namespace

InventorySyncRequest parse_inventory_sync(const Json::Value& body) {
  FieldErrors errors;
  InventorySyncRequest out;
  const Json::Value& items = body["items"];
  const std::string items_range =
      "must be an array of 1 to " + std::to_string(kMaxSyncItems) + " items";
  if (items.isNull()) {
    errors.add("items", "is required");
  } else if (!items.isArray() || items.empty() || items.size() > kMaxSyncItems) {
    errors.add("items", items_range);
  } else {
    std::unordered_map<std::string, Json::ArrayIndex> first_seen;  // sku -> its index
    for (Json::ArrayIndex i = 0; i < items.size(); ++i) {
      const std::string path = "items[" + std::to_string(i) + "]";
      std::optional<InventoryCount> count = parse_item(items[i], path, errors);
      if (!count) continue;
      const auto [seen, fresh] = first_seen.emplace(count->sku, i);
      if (!fresh) {
        errors.add(path + ".sku", "repeats items[" + std::to_string(seen->second) + "].sku");
        continue;
      }
      out.items.push_back(std::move(*count));
    }
  }
  if (auto source = common::json::get_string(body, "source", 1, kMaxSyncSourceChars, errors)) {
    if (sku_alphabet(*source)) {
      out.source = *source;
    } else {
      errors.add("source", "may contain only letters, digits, '.', '_' and '-'");
    }
  }
  errors.throw_if_any();
  return out;
}

Json::Value to_json(const InventorySyncRequest& request) {
  Json::Value out(Json::objectValue);
  Json::Value& items = out["items"] = Json::Value(Json::arrayValue);
  for (const InventoryCount& count : request.items) {
    Json::Value item(Json::objectValue);
    item["sku"] = count.sku;
    item["on_hand"] = static_cast<Json::Int64>(count.on_hand);
    items.append(std::move(item));
  }
  out["source"] = request.source;
  return out;
}

}  // namespace services
