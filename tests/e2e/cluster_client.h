// Support for the cluster tests (tests/e2e/cluster_*_test.cc), which run
// against the cluster of network-namespace hosts that the "cluster: up"
// fixture starts once for the whole binary (scripts/cluster.sh, settings from
// scripts/test.sh: CLUSTER_DIR, CLUSTER_HTTP_PORT, CLUSTER_PREFIX,
// CLUSTER_SUBNET). Every request goes through the edge's loopback relay, as a
// client's would. Nothing here records answers for the OpenAPI check: these
// tests provoke 502s on purpose.
//
// Functions named *_nothrow never call Catch2 and may run on any thread.
#pragma once

#include <json/value.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cluster_test {

struct Reply {
  long status = 0;  // 0: failed below HTTP (curl's message in `body`)
  std::string body;
  Json::Value json() const;  // null when the body is not JSON
};

// http://127.0.0.1:$CLUSTER_HTTP_PORT; REQUIREs the variable.
std::string base_url();
// $CLUSTER_DIR; REQUIREs it.
std::string cluster_dir();

// One request on a fresh connection (so nginx picks an upstream for each),
// with a JSON body unless `body` is null and a bearer token unless `token` is empty.
Reply request_nothrow(const std::string& method, const std::string& path,
                      const Json::Value& body = Json::Value(), const std::string& token = "",
                      const std::vector<std::string>& headers = {}, long timeout_s = 30);
Reply request(const std::string& method, const std::string& path,
              const Json::Value& body = Json::Value(), const std::string& token = "",
              const std::vector<std::string>& headers = {});

// `scripts/cluster.sh ARGS` with the fixture's settings; returns its exit code.
int cluster(const std::string& args);
// The first value `sql` returns on db1 or db2 (psql through cluster.sh).
std::string psql(const std::string& host, const std::string& sql);

// A new user (registered and logged in): its access token. REQUIREs success.
std::string new_user_token();
// The seeded admin (E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD): its access token.
std::string admin_token();
// A new product with one variant of `stock` units at `price_cents`, made
// through the admin API: {product_id, variant_id}.
std::pair<int64_t, int64_t> make_variant(const std::string& admin, int64_t stock,
                                         int64_t price_cents);
// A new address of the user: its id.
int64_t make_address(const std::string& token);

// How many answers for `route` (as the request log names it, e.g.
// "POST /api/v1/orders/checkout") pool host `host` has logged so far.
int logged_requests(const std::string& host, const std::string& method, const std::string& route);

}  // namespace cluster_test
