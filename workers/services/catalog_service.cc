#include "workers/services/catalog_service.h"

#include "common/error.h"
#include "common/json.h"
#include "common/pagination.h"
#include "workers/services/catalog_text.h"

namespace services {

using common::AppError;
using common::ErrorCode;

std::string like_contains_pattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

Json::Value product_page_json(const std::vector<repo::ProductSummary>& rows, int limit) {
  return common::keyset_page(rows, limit, [](const repo::ProductSummary& p) {
    Json::Value item(Json::objectValue);
    item["product_id"] = static_cast<Json::Int64>(p.id);
    item["product_sku"] = p.sku;
    item["title"] = p.title;
    item["category_id"] = common::json::or_null(p.category_id);
    item["min_price_cents"] = common::json::or_null(p.min_price_cents);
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
  out["category_id"] = common::json::or_null(p.category_id);
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
  out["min_price_cents"] = common::json::or_null(min_price);
  out["max_price_cents"] = common::json::or_null(max_price);
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

namespace {

std::vector<repo::ProductSummary> product_page_rows(common::pg::Connection& db,
                                                    const ProductListRequest& request) {
  repo::ProductFilter filter;
  filter.after_id = request.after_id;
  filter.category_id = request.category_id;
  if (request.title_contains) filter.title_pattern = like_contains_pattern(*request.title_contains);
  filter.min_price_cents = request.min_price_cents;
  filter.max_price_cents = request.max_price_cents;
  filter.has_inventory = request.has_inventory;
  return repo::list_products(db, filter, request.limit + 1);
}

repo::ProductDetail product_or_not_found(common::pg::Connection& db, int64_t id) {
  auto product = repo::find_product(db, id);
  if (!product) throw AppError(ErrorCode::kNotFound, "product not found");
  return std::move(*product);
}

}  // namespace

std::string list_products_text(common::pg::Connection& db, const ProductListRequest& request) {
  return product_page_text(product_page_rows(db, request), request.limit);
}

std::string get_product_text(common::pg::Connection& db, int64_t id) {
  return product_detail_text(product_or_not_found(db, id));
}

std::string list_categories_text(common::pg::Connection& db) {
  return categories_text(repo::list_categories(db));
}

Json::Value list_products(common::pg::Connection& db, const ProductListRequest& request) {
  return product_page_json(product_page_rows(db, request), request.limit);
}

Json::Value get_product(common::pg::Connection& db, int64_t id) {
  return product_detail_json(product_or_not_found(db, id));
}

Json::Value list_categories(common::pg::Connection& db) {
  return categories_json(repo::list_categories(db));
}

}  // namespace services
