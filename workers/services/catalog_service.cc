#include "workers/services/catalog_service.h"

#include <charconv>
#include <limits>

#include "common/error.h"
#include "common/json.h"
#include "common/pagination.h"

namespace services {

using common::AppError;
using common::ErrorCode;

namespace {

constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

// A decimal integer in [min, max] or nullopt.
std::optional<int64_t> parse_int(std::string_view s, int64_t min, int64_t max) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<int64_t> int_param(const common::QueryParams& q, const char* name, int64_t min,
                                 int64_t max, common::FieldErrors& errors) {
  auto raw = q.get(name);
  if (!raw) return std::nullopt;
  auto value = parse_int(*raw, min, max);
  if (!value) {
    errors.add(name, max == kMaxInt64 ? "must be an integer >= " + std::to_string(min)
                                      : "must be an integer between " + std::to_string(min) +
                                            " and " + std::to_string(max));
  }
  return value;
}

Json::Value opt_json(const std::optional<int64_t>& v) {
  return v ? Json::Value(static_cast<Json::Int64>(*v)) : Json::Value();
}

}  // namespace

std::optional<bool> parse_query_bool(std::string_view value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return std::nullopt;
}

std::string like_contains_pattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

ProductListRequest parse_product_list_query(const common::QueryParams& q) {
  common::FieldErrors errors;
  ProductListRequest req;
  if (auto limit = int_param(q, "limit", 1, 100, errors)) req.limit = static_cast<int>(*limit);
  if (auto after = int_param(q, "after", 0, kMaxInt64, errors)) req.filter.after_id = *after;
  req.filter.category_id = int_param(q, "category_id", 1, kMaxInt64, errors);
  req.filter.min_price_cents = int_param(q, "min_price_cents", 0, kMaxInt64, errors);
  req.filter.max_price_cents = int_param(q, "max_price_cents", 0, kMaxInt64, errors);
  if (req.filter.min_price_cents && req.filter.max_price_cents &&
      *req.filter.min_price_cents > *req.filter.max_price_cents) {
    errors.add("max_price_cents", "must be greater than or equal to min_price_cents");
  }
  if (auto raw = q.get("q")) {
    auto len = common::json::utf8_length(*raw);
    if (!len || *len < 2 || *len > 100) {
      errors.add("q", "must be 2 to 100 characters");
    } else {
      req.filter.title_pattern = like_contains_pattern(*raw);
    }
  }
  if (auto raw = q.get("has_inventory")) {
    req.filter.has_inventory = parse_query_bool(*raw);
    if (!req.filter.has_inventory) errors.add("has_inventory", "must be true, false, 1 or 0");
  }
  errors.throw_if_any();
  return req;
}

Json::Value product_page_json(const std::vector<repo::ProductSummary>& rows, int limit) {
  return common::keyset_page(rows, limit, [](const repo::ProductSummary& p) {
    Json::Value item(Json::objectValue);
    item["product_id"] = static_cast<Json::Int64>(p.id);
    item["product_sku"] = p.sku;
    item["title"] = p.title;
    item["category_id"] = opt_json(p.category_id);
    item["min_price_cents"] = opt_json(p.min_price_cents);
    item["variant_count"] = static_cast<Json::Int64>(p.variant_count);
    item["total_available"] = static_cast<Json::Int64>(p.total_available);
    item["in_stock"] = p.total_available > 0;
    return item;
  });
}

Json::Value variant_json(const repo::Variant& v) {
  Json::Value item(Json::objectValue);
  item["id"] = static_cast<Json::Int64>(v.id);
  item["sku"] = v.sku;
  item["price_cents"] = static_cast<Json::Int64>(v.price_cents);
  item["attributes"] = common::json::parse_trusted(v.attributes_json);
  item["available"] = static_cast<Json::Int64>(v.available);
  item["reserved"] = static_cast<Json::Int64>(v.reserved);
  item["in_stock"] = v.available > 0;
  return item;
}

Json::Value product_detail_json(const repo::ProductDetail& p) {
  Json::Value out(Json::objectValue);
  out["id"] = static_cast<Json::Int64>(p.id);
  out["sku"] = p.sku;
  out["title"] = p.title;
  out["description"] = p.description ? Json::Value(*p.description) : Json::Value();
  out["category_id"] = opt_json(p.category_id);
  out["created_at"] = p.created_at;
  Json::Value& variants = out["variants"] = Json::Value(Json::arrayValue);
  std::optional<int64_t> min_price, max_price;
  int64_t total_available = 0;
  for (const auto& v : p.variants) {
    variants.append(variant_json(v));
    min_price = min_price ? std::min(*min_price, v.price_cents) : v.price_cents;
    max_price = max_price ? std::max(*max_price, v.price_cents) : v.price_cents;
    total_available += v.available;
  }
  out["min_price_cents"] = opt_json(min_price);
  out["max_price_cents"] = opt_json(max_price);
  out["total_available"] = static_cast<Json::Int64>(total_available);
  out["in_stock"] = total_available > 0;
  return out;
}

Json::Value categories_json(const std::vector<repo::Category>& categories) {
  Json::Value out(Json::objectValue);
  Json::Value& items = out["items"] = Json::Value(Json::arrayValue);
  for (const auto& c : categories) {
    Json::Value item(Json::objectValue);
    item["id"] = static_cast<Json::Int64>(c.id);
    item["name"] = c.name;
    items.append(std::move(item));
  }
  return out;
}

Json::Value list_products(common::pg::Connection& db, const ProductListRequest& request) {
  return product_page_json(repo::list_products(db, request.filter, request.limit + 1),
                           request.limit);
}

Json::Value get_product(common::pg::Connection& db, int64_t id) {
  auto product = repo::find_product(db, id);
  if (!product) throw AppError(ErrorCode::kNotFound, "product not found");
  return product_detail_json(*product);
}

Json::Value list_categories(common::pg::Connection& db) {
  return categories_json(repo::list_categories(db));
}

}  // namespace services
