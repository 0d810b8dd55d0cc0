// End-to-end helpers for the cart and order tests, on top of the
// sessions of e2e_auth.h: requests as a Session with a JSON body and extra
// headers, a thread-safe variant for racing requests, the catalogue's view of
// a variant, variants made through the admin API, and the e2e database (for
// the stock invariants of invariants.h).
#pragma once

#include <json/value.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/pg.h"
#include "tests/support/e2e_auth.h"
#include "tests/support/http_client.h"

namespace test_support {

// `method path` with `Authorization: Bearer <token>` (none for an empty token)
// and, unless `body` is null, the body as JSON (other methods than GET send an
// empty body then). `headers` are added as given
// ("Idempotency-Key: k"). REQUIREs the transport to work: test thread only.
HttpResponse api(const Session& user, const std::string& method, const std::string& path,
                 const Json::Value& body = Json::Value(), std::vector<std::string> headers = {});

// The same request without any Catch2 call, for use on other threads: a
// transport failure is status 0 with curl's message as the body.
HttpResponse api_nothrow(const Session& user, const std::string& method, const std::string& path,
                         const Json::Value& body = Json::Value(),
                         std::vector<std::string> headers = {});

// The catalogue's view of a variant (API.md product detail: id, sku,
// price_cents, available, reserved, ...), found by sku. REQUIREs it exists.
Json::Value catalogue_variant(const std::string& sku);
// The same by variant id (within its product's detail).
Json::Value catalogue_variant(int64_t product_id, int64_t variant_id);

struct CreatedVariant {
  int64_t product_id = 0;
  int64_t variant_id = 0;
  std::string sku;
};
// A new product with one variant of `stock` units at `price_cents`, made
// through the admin API (REQUIREs 201s).
CreatedVariant api_make_variant(const Session& admin, int64_t stock, int64_t price_cents);

// The connection string of the e2e stack's local PostgreSQL (what
// `STATE_DIR=$E2E_STATE_DIR $E2E_REPO/scripts/pg.sh url` prints); REQUIREs it.
std::string e2e_database_url();
// The e2e stack's Redis (the catalogue cache every pool of the e2e database
// must share, so that their writes invalidate what the others read).
std::string e2e_redis_url();
// The e2e stack's SMTP server (scripts/smtp.sh keeps its port in
// $E2E_STATE_DIR/smtp.port): pools of their own send there instead of
// starting servers of their own. "" when the stack runs none.
std::string e2e_smtp_url();
// Empties that cache: for a test that changed the catalogue behind the
// service's back (straight SQL), which no invalidation follows.
void e2e_flush_cache();

// Options for a connection to that database that may run the tests' own
// statements (the stock invariants) as well as the service's.
common::pg::ConnectionOptions e2e_db_options();

}  // namespace test_support
