// The query strings of the paged lists (API.md "Catalogue" and "Orders") as
// the typed requests the services take. Unknown parameters are ignored; every
// bad one is named in one AppError(kValidationError).
#pragma once

#include "common/query_params.h"
#include "workers/services/catalog_service.h"
#include "workers/services/order_service.h"

namespace handlers {

// GET /api/v1/products: limit 1..100 (default 20), after >= 0, category_id
// >= 1, q 2..100 characters, min/max_price_cents >= 0 with min <= max,
// has_inventory true|false|1|0.
services::ProductListRequest product_list_request(const common::QueryParams& query);

// GET /api/v1/orders: limit 1..100 (default 20), after a positive id (the
// cursor of the previous page).
services::OrderListRequest order_list_request(const common::QueryParams& query);

}  // namespace handlers
