#include "workers/services/catalog_text.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "common/json_text.h"

namespace services {

namespace {

using common::json::TextWriter;

// The value, or null for nullopt (how every optional column is rendered).
void int_or_null(TextWriter& w, const std::optional<int64_t>& value) {
  if (value) {
    w.int64(*value);
  } else {
    w.null();
  }
}

// A variant's attributes (jsonb text) as jsoncpp renders them: compact, names
// sorted. The empty object, the common case, needs no parse.
std::string attributes_text(const std::string& jsonb) {
  if (jsonb == "{}") return jsonb;
  return common::json::canonical_json(jsonb);
}

// Member names below are written in jsoncpp's order (sorted bytewise).

void write_summary(TextWriter& w, const repo::ProductSummary& p) {
  w.begin_object();
  w.key("category_id");
  int_or_null(w, p.category_id);
  w.key("in_stock").boolean(p.total_available > 0);
  w.key("min_price_cents");
  int_or_null(w, p.min_price_cents);
  w.key("product_id").int64(p.id);
  w.key("product_sku").string(p.sku);
  w.key("title").string(p.title);
  w.key("total_available").int64(p.total_available);
  w.key("variant_count").int64(p.variant_count);
  w.end_object();
}

void write_variant(TextWriter& w, const repo::Variant& v) {
  w.begin_object();
  w.key("attributes").raw(attributes_text(v.attributes_json));
  w.key("available").int64(v.available);
  w.key("id").int64(v.id);
  w.key("in_stock").boolean(v.available > 0);
  w.key("price_cents").int64(v.price_cents);
  w.key("reserved").int64(v.reserved);
  w.key("sku").string(v.sku);
  w.end_object();
}

}  // namespace

std::string product_page_text(const std::vector<repo::ProductSummary>& rows, int limit) {
  const bool has_more = static_cast<int>(rows.size()) > limit;
  const size_t count = has_more ? static_cast<size_t>(limit) : rows.size();
  std::string out;
  out.reserve(128 + 256 * count);
  TextWriter w(out);
  w.begin_object();
  w.key("items").begin_array();
  for (size_t i = 0; i < count; ++i) write_summary(w, rows[i]);
  w.end_array();
  w.key("pagination").begin_object();
  w.key("count").int64(static_cast<int64_t>(count));
  w.key("cursor");
  int_or_null(w, has_more ? std::optional<int64_t>(rows[count - 1].id) : std::nullopt);
  w.key("has_more").boolean(has_more);
  w.key("limit").int64(limit);
  w.end_object();
  w.end_object();
  return out;
}

std::string product_detail_text(const repo::ProductDetail& p) {
  std::optional<int64_t> min_price, max_price;
  int64_t total_available = 0;
  for (const auto& v : p.variants) {
    min_price = min_price ? std::min(*min_price, v.price_cents) : v.price_cents;
    max_price = max_price ? std::max(*max_price, v.price_cents) : v.price_cents;
    total_available += v.available;
  }
  std::string out;
  out.reserve(384 + (p.description ? p.description->size() : 0) + 256 * p.variants.size());
  TextWriter w(out);
  w.begin_object();
  w.key("category_id");
  int_or_null(w, p.category_id);
  w.key("created_at").string(p.created_at);
  w.key("description");
  if (p.description) {
    w.string(*p.description);
  } else {
    w.null();
  }
  w.key("id").int64(p.id);
  w.key("in_stock").boolean(total_available > 0);
  w.key("max_price_cents");
  int_or_null(w, max_price);
  w.key("min_price_cents");
  int_or_null(w, min_price);
  w.key("sku").string(p.sku);
  w.key("title").string(p.title);
  w.key("total_available").int64(total_available);
  w.key("variants").begin_array();
  for (const auto& v : p.variants) write_variant(w, v);
  w.end_array();
  w.end_object();
  return out;
}

std::string categories_text(const std::vector<repo::Category>& categories) {
  std::string out;
  out.reserve(16 + 48 * categories.size());
  TextWriter w(out);
  w.begin_object();
  w.key("items").begin_array();
  for (const auto& c : categories) {
    w.begin_object().key("id").int64(c.id).key("name").string(c.name).end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

}  // namespace services
