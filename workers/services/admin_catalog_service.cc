#include "workers/services/admin_catalog_service.h"

#include <algorithm>
#include <limits>

#include "common/error.h"
#include "common/json.h"
#include "workers/services/catalog_cache.h"
#include "workers/services/catalog_service.h"
#include "workers/services/sku.h"

namespace services {

namespace pg = common::pg;
using common::AppError;
using common::ErrorCode;
using common::FieldErrors;

namespace {

constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxTitleChars = 200;
constexpr size_t kMaxDescriptionChars = 10000;
constexpr size_t kMaxReasonChars = 500;
constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();
constexpr int64_t kMaxInventory = std::numeric_limits<int32_t>::max();  // inventory.available

AppError field_error(ErrorCode code, const std::string& message, const char* field,
                     const char* problem) {
  Json::Value details(Json::objectValue);
  details[field] = problem;
  return AppError(code, message, details);
}

// The API error for a constraint the service knows, by SQLSTATE class and
// constraint name; nullopt for anything else.
std::optional<AppError> known_violation(const pg::DbError& e) {
  const std::string& c = e.constraint();
  if (e.kind() == pg::DbErrorKind::kUniqueViolation) {
    if (c == "categories_name_key") {
      return field_error(ErrorCode::kConflict, "a category with this name exists", "name",
                         "is already taken");
    }
    if (c == "products_sku_key") {
      return field_error(ErrorCode::kConflict, "a product with this sku exists", "sku",
                         "is already taken");
    }
    if (c == "product_variants_sku_key") {
      return field_error(ErrorCode::kConflict, "a variant with this sku exists", "sku",
                         "is already taken");
    }
  }
  if (e.kind() == pg::DbErrorKind::kForeignKeyViolation) {
    if (c == "products_category_id_fkey") {
      return field_error(ErrorCode::kValidationError, "category_id names no category",
                         "category_id", "names no category");
    }
    if (c == "product_variants_product_id_fkey") {
      return AppError(ErrorCode::kNotFound, "product not found");
    }
  }
  return std::nullopt;
}

// pg::transaction with the known constraint violations turned into API errors.
template <class Fn>
Json::Value write(pg::Connection& db, Fn&& fn) {
  try {
    return pg::transaction(db, std::forward<Fn>(fn));
  } catch (const pg::DbError& e) {
    if (auto mapped = known_violation(e)) throw *mapped;
    throw;
  }
}

std::optional<std::string> required_sku(const Json::Value& body, FieldErrors& errors) {
  auto sku = common::json::get_string(body, "sku", 1, kMaxSkuChars, errors);
  if (!sku) {
    if (body["sku"].isNull()) errors.add("sku", "is required");
    return std::nullopt;
  }
  if (!std::all_of(sku->begin(), sku->end(), is_sku_char)) {
    errors.add("sku", "may contain only letters, digits, '.', '_' and '-'");
    return std::nullopt;
  }
  return sku;
}

std::optional<std::string> required_string(const Json::Value& body, const char* field,
                                           size_t max_len, FieldErrors& errors) {
  auto value = common::json::get_string(body, field, 1, max_len, errors);
  if (!value && body[field].isNull()) {
    errors.add(field, body.isMember(field) ? "must not be null" : "is required");
  }
  return value;
}

// A JSON object of at most kMaxAttributesBytes, as compact JSON text.
std::optional<std::string> attributes(const Json::Value& body, FieldErrors& errors) {
  const Json::Value& v = body["attributes"];
  if (!v.isObject()) {
    errors.add("attributes", "must be a JSON object");
    return std::nullopt;
  }
  std::string text = common::json::write(v);
  if (text.size() > kMaxAttributesBytes) {
    errors.add("attributes", "must be at most 4096 bytes as JSON");
    return std::nullopt;
  }
  return text;
}

void require_some(const Json::Value& body, std::initializer_list<const char*> fields,
                  const char* list, FieldErrors& errors) {
  const bool any =
      std::any_of(fields.begin(), fields.end(), [&](const char* f) { return body.isMember(f); });
  if (!any) errors.add("body", std::string("must set at least one of ") + list);
}

// The ledger row of an admin's change to `available` (reserved is untouched).
void record_available_change(pg::Connection& db, int64_t variant_id, const char* kind,
                             int64_t delta, const std::optional<std::string>& reason,
                             int64_t actor_user_id) {
  repo::insert_movement(db, {.variant_id = variant_id,
                             .kind = kind,
                             .available_delta = delta,
                             .reserved_delta = 0,
                             .reason = reason,
                             .actor_user_id = actor_user_id,
                             .order_id = std::nullopt});
}

Json::Value variant_or_throw(pg::Connection& db, int64_t id) {
  const auto variant = repo::find_variant(db, id);
  if (!variant) throw AppError(ErrorCode::kNotFound, "variant not found");
  return variant_json(*variant);
}

Json::Value product_or_throw(pg::Connection& db, int64_t id) {
  const auto product = repo::find_product(db, id);
  if (!product) throw AppError(ErrorCode::kNotFound, "product not found");
  return product_detail_json(*product);
}

}  // namespace

NewCategory parse_new_category(const Json::Value& body) {
  FieldErrors errors;
  auto name = required_string(body, "name", kMaxNameChars, errors);
  errors.throw_if_any();
  return {*name};
}

NewProduct parse_new_product(const Json::Value& body) {
  FieldErrors errors;
  NewProduct out;
  auto sku = required_sku(body, errors);
  auto title = required_string(body, "title", kMaxTitleChars, errors);
  out.description = common::json::get_string(body, "description", 0, kMaxDescriptionChars, errors);
  out.category_id = common::json::get_int(body, "category_id", 1, kMaxId, errors);
  errors.throw_if_any();
  out.sku = *sku;
  out.title = *title;
  return out;
}

repo::ProductChanges parse_product_changes(const Json::Value& body) {
  FieldErrors errors;
  repo::ProductChanges out;
  require_some(body, {"title", "description", "category_id"}, "title, description, category_id",
               errors);
  if (body.isMember("title")) {
    out.set_title = true;
    if (auto title = required_string(body, "title", kMaxTitleChars, errors)) out.title = *title;
  }
  if (body.isMember("description")) {
    out.set_description = true;
    out.description =
        common::json::get_string(body, "description", 0, kMaxDescriptionChars, errors);
  }
  if (body.isMember("category_id")) {
    out.set_category = true;
    out.category_id = common::json::get_int(body, "category_id", 1, kMaxId, errors);
  }
  errors.throw_if_any();
  return out;
}

NewVariant parse_new_variant(const Json::Value& body) {
  FieldErrors errors;
  NewVariant out;
  auto sku = required_sku(body, errors);
  auto price = common::json::get_int(body, "price_cents", 0, kMaxPriceCents, errors);
  if (!price && body["price_cents"].isNull()) errors.add("price_cents", "is required");
  if (!body["attributes"].isNull()) {
    if (auto text = attributes(body, errors)) out.attributes_json = *text;
  }
  out.stock = common::json::get_int(body, "stock", 0, kMaxStockUnits, errors).value_or(0);
  errors.throw_if_any();
  out.sku = *sku;
  out.price_cents = *price;
  return out;
}

repo::VariantChanges parse_variant_changes(const Json::Value& body) {
  FieldErrors errors;
  repo::VariantChanges out;
  require_some(body, {"price_cents", "attributes"}, "price_cents, attributes", errors);
  if (body.isMember("price_cents")) {
    out.price_cents = common::json::get_int(body, "price_cents", 0, kMaxPriceCents, errors);
    if (!out.price_cents && body["price_cents"].isNull()) {
      errors.add("price_cents", "must not be null");
    }
  }
  if (body.isMember("attributes")) out.attributes_json = attributes(body, errors);
  errors.throw_if_any();
  return out;
}

StockAdjustment parse_stock_adjustment(const Json::Value& body) {
  FieldErrors errors;
  StockAdjustment out;
  auto delta = common::json::get_int(body, "delta", -kMaxStockUnits, kMaxStockUnits, errors);
  if (!delta && body["delta"].isNull()) errors.add("delta", "is required");
  if (delta && *delta == 0) errors.add("delta", "must not be 0");
  out.reason = common::json::get_string(body, "reason", 1, kMaxReasonChars, errors);
  errors.throw_if_any();
  out.delta = *delta;
  return out;
}

Json::Value create_category(pg::Connection& db, const NewCategory& category,
                            common::cache::Cache* cache) {
  Json::Value written = write(db, [&](pg::Connection& c) {
    const repo::Category row = repo::insert_category(c, category.name);
    Json::Value out(Json::objectValue);
    out["id"] = static_cast<Json::Int64>(row.id);
    out["name"] = row.name;
    return out;
  });
  catalog_cache::catalog_changed(cache);
  return written;
}

Json::Value create_product(pg::Connection& db, const NewProduct& p, common::cache::Cache* cache) {
  Json::Value written = write(db, [&](pg::Connection& c) {
    const int64_t id = repo::insert_product(c, p.sku, p.title, p.description, p.category_id);
    return product_or_throw(c, id);
  });
  catalog_cache::products_changed(cache, {written["id"].asInt64()});
  return written;
}

Json::Value update_product(pg::Connection& db, int64_t product_id,
                           const repo::ProductChanges& changes, common::cache::Cache* cache) {
  Json::Value written = write(db, [&](pg::Connection& c) {
    if (!repo::update_product(c, product_id, changes)) {
      throw AppError(ErrorCode::kNotFound, "product not found");
    }
    return product_or_throw(c, product_id);
  });
  catalog_cache::products_changed(cache, {product_id});
  return written;
}

Json::Value create_variant(pg::Connection& db, int64_t product_id, const NewVariant& v,
                           int64_t actor_user_id, common::cache::Cache* cache) {
  Json::Value written = write(db, [&](pg::Connection& c) {
    if (!repo::lock_product_key(c, product_id)) {
      throw AppError(ErrorCode::kNotFound, "product not found");
    }
    const int64_t id = repo::insert_variant(c, product_id, v.sku, v.price_cents, v.attributes_json,
                                            static_cast<int>(v.stock));
    record_available_change(c, id, "initial", v.stock, "variant created", actor_user_id);
    return variant_or_throw(c, id);
  });
  catalog_cache::products_changed(cache, {product_id});
  return written;
}

Json::Value update_variant(pg::Connection& db, int64_t variant_id,
                           const repo::VariantChanges& changes, common::cache::Cache* cache) {
  Json::Value written = write(db, [&](pg::Connection& c) {
    if (!repo::update_variant(c, variant_id, changes)) {
      throw AppError(ErrorCode::kNotFound, "variant not found");
    }
    return variant_or_throw(c, variant_id);
  });
  catalog_cache::variants_changed(db, cache, {variant_id});
  return written;
}

Json::Value adjust_stock(pg::Connection& db, int64_t variant_id, const StockAdjustment& a,
                         int64_t actor_user_id, common::cache::Cache* cache) {
  Json::Value written = write(db, [&](pg::Connection& c) {
    const auto level = repo::lock_stock(c, variant_id);
    if (!level) throw AppError(ErrorCode::kNotFound, "variant not found");
    const int64_t after = level->available + a.delta;
    if (after < 0) {
      Json::Value details(Json::objectValue);
      details[std::to_string(variant_id)] = static_cast<Json::Int64>(level->available);
      throw AppError(ErrorCode::kInsufficientStock,
                     "only " + std::to_string(level->available) + " available to write off",
                     details);
    }
    if (after > kMaxInventory) {
      throw field_error(ErrorCode::kValidationError, "delta would take available too high", "delta",
                        "would take available above 2147483647");
    }
    repo::add_available(c, variant_id, a.delta);
    record_available_change(c, variant_id, a.delta > 0 ? "restock" : "write_off", a.delta, a.reason,
                            actor_user_id);
    return variant_or_throw(c, variant_id);
  });
  catalog_cache::variants_changed(db, cache, {variant_id});
  return written;
}

}  // namespace services
