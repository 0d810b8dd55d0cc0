// The catalogue's public answers (API.md "Catalogue") rendered straight from
// repository rows into JSON text, with no Json::Value tree: the form the
// handlers send and the cache keeps.
//
// Each function returns exactly the bytes that common::json::write gives for
// the tree the matching *_json function of catalog_service.h builds (members
// in jsoncpp's order, sorted by name), so an answer and its ETag are the same
// whichever rendered it. Throws AppError(kInternal) when a variant's stored
// attributes do not parse.
#pragma once

#include <string>
#include <vector>

#include "workers/repositories/catalog_repository.h"

namespace services {

// {"items": [...], "pagination": {count, cursor, has_more, limit}} from up to
// limit + 1 rows (the extra row only says there is more): product_page_json.
std::string product_page_text(const std::vector<repo::ProductSummary>& rows, int limit);
// The product with its variants, prices and stock: product_detail_json.
std::string product_detail_text(const repo::ProductDetail& product);
// {"items": [{id, name}...]}: categories_json.
std::string categories_text(const std::vector<repo::Category>& categories);

}  // namespace services
