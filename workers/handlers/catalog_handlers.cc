#include "workers/handlers/catalog_handlers.h"

#include <functional>

#include "workers/handlers/list_requests.h"
#include "workers/services/catalog_cache.h"
#include "workers/services/catalog_service.h"

namespace handlers {

namespace {

namespace cache = common::cache;

// RFC 9211 Cache-Status for each way an answer was made (API.md "Catalogue cache").
const char* cache_status(cache::Outcome outcome) {
  switch (outcome) {
    case cache::Outcome::kHit:
      return "ecommerce; hit";
    case cache::Outcome::kStored:
      return "ecommerce; fwd=miss; stored";
    case cache::Outcome::kBypass:
      return "ecommerce; fwd=bypass";
  }
  return "ecommerce; fwd=bypass";
}

// A catalogue answer through the cache: the rendered `data` and its ETag, from
// Redis or from `load` (PostgreSQL, rendered as JSON text), answered as conditional_ok does.
common::Response cached_ok(const common::Request& req, common::RouteContext& ctx,
                           const services::catalog_cache::Key& key,
                           const std::function<std::string()>& load) {
  const auto render = [&] {
    std::string body = load();
    std::string etag = common::make_etag(body);
    return cache::Entry{std::move(etag), std::move(body)};
  };
  cache::Outcome outcome = cache::Outcome::kBypass;
  const cache::Entry entry =
      ctx.cache ? ctx.cache->read_through(key.version, key.name, render, outcome) : render();
  if (ctx.cache && ctx.cache->enabled()) ctx.cache_outcome = outcome;
  common::Response response = common::conditional_ok(req, entry.body, entry.etag);
  response.with_header("Cache-Status", cache_status(outcome));
  return response;
}

// Runs a catalogue query on the replica when it has replayed what the cache's
// versions reflect (common/read_replica.h), else on the primary. A replica
// that fails the query is left alone for a while and the primary answers.
template <class Query>
std::string read_catalogue(common::RouteContext& ctx, Query query) {
  if (ctx.replica && ctx.cache) {
    if (const auto target = ctx.cache->replay_target()) {
      if (common::pg::Connection* replica = ctx.replica->if_replayed(*target)) {
        try {
          return query(*replica);
        } catch (const common::pg::DbError&) {
          ctx.replica->failed();
        }
      }
    }
  }
  return query(ctx.db);
}

}  // namespace

common::Response list_categories(const common::Request& req, common::RouteContext& ctx) {
  return cached_ok(req, ctx, services::catalog_cache::categories(), [&] {
    return read_catalogue(
        ctx, [](common::pg::Connection& db) { return services::list_categories_text(db); });
  });
}

common::Response list_products(const common::Request& req, common::RouteContext& ctx) {
  const auto request = product_list_request(common::QueryParams::parse(req.query));
  return cached_ok(req, ctx, services::catalog_cache::product_list(request), [&] {
    return read_catalogue(
        ctx, [&](common::pg::Connection& db) { return services::list_products_text(db, request); });
  });
}

common::Response get_product(const common::Request& req, common::RouteContext& ctx) {
  const int64_t id = ctx.params.at(0);
  return cached_ok(req, ctx, services::catalog_cache::product(id), [&] {
    return read_catalogue(
        ctx, [&](common::pg::Connection& db) { return services::get_product_text(db, id); });
  });
}

}  // namespace handlers
