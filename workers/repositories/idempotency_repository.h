// Idempotency keys of checkout (table idempotency_keys): one row per user and
// key with the hash of the request body and the first answer. Named SQL only.
//
// Protocol, all inside the checkout transaction:
//   1. claim_key(): inserts the row. A concurrent transaction holding the same
//      key makes this wait (on the primary key) until it ends; a live row
//      committed earlier makes it return false; an expired one is taken over.
//   2. when not claimed, find_key() gives the committed row to replay or refuse;
//   3. when claimed, complete_key() stores the answer before COMMIT. A rollback
//      removes the claim with everything else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace repo {

struct StoredKey {
  std::string request_hash;
  std::optional<int64_t> response_status;    // set on every committed row (201)
  std::optional<std::string> response_body;  // JSON text of the answer's `data`
  std::optional<int64_t> order_id;
};

// Deletes the user's expired keys (the table stays as small as the keys of the
// last 24 hours).
void purge_expired_keys(common::pg::Connection& db, int64_t user_id);

// Deletes up to `limit` expired keys of any user (those of users who never
// check out again), skipping rows other transactions hold; returns how many.
int delete_expired_keys(common::pg::Connection& db, int limit);

// Step 1 above. True when this transaction now owns (user_id, key).
[[nodiscard]] bool claim_key(common::pg::Connection& db, int64_t user_id, const std::string& key,
                             const std::string& request_hash);

// The row of (user_id, key), or nullopt when there is none.
[[nodiscard]] std::optional<StoredKey> find_key(common::pg::Connection& db, int64_t user_id,
                                                const std::string& key);

// Step 3 above: stores the answer (the created order) of the claimed key.
void complete_key(common::pg::Connection& db, int64_t user_id, const std::string& key,
                  const std::string& body_json, std::optional<int64_t> order_id);

}  // namespace repo
