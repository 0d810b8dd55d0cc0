#include "workers/handlers/list_requests.h"

#include "common/error.h"
#include "common/json.h"

namespace handlers {

namespace {

constexpr common::IntRange kPageLimit{1, 100};

}  // namespace

services::ProductListRequest product_list_request(const common::QueryParams& q) {
  common::FieldErrors errors;
  services::ProductListRequest req;
  if (auto limit = common::query_int(q, "limit", kPageLimit, errors)) {
    req.limit = static_cast<int>(*limit);
  }
  if (auto after = common::query_int(q, "after", {.min = 0}, errors)) req.after_id = *after;
  req.category_id = common::query_int(q, "category_id", {.min = 1}, errors);
  req.min_price_cents = common::query_int(q, "min_price_cents", {.min = 0}, errors);
  req.max_price_cents = common::query_int(q, "max_price_cents", {.min = 0}, errors);
  common::check_ordered("min_price_cents", req.min_price_cents, "max_price_cents",
                        req.max_price_cents, errors);
  if (auto text = q.get("q")) {
    const auto length = common::json::utf8_length(*text);
    if (!length || *length < 2 || *length > 100) {
      errors.add("q", "must be 2 to 100 characters");
    } else {
      req.title_contains = std::move(*text);
    }
  }
  req.has_inventory = common::query_bool(q, "has_inventory", errors);
  errors.throw_if_any();
  return req;
}

services::OrderListRequest order_list_request(const common::QueryParams& q) {
  common::FieldErrors errors;
  services::OrderListRequest req;
  if (auto limit = common::query_int(q, "limit", kPageLimit, errors)) {
    req.limit = static_cast<int>(*limit);
  }
  req.after = common::query_int(q, "after", {.min = 1}, errors,
                                "must be a positive integer (the cursor of the previous page)");
  errors.throw_if_any();
  return req;
}

}  // namespace handlers
