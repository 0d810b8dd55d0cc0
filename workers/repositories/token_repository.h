// Refresh tokens: named SQL over `refresh_tokens`. Tokens are stored and
// looked up by their SHA-256 (hex); the token itself never reaches the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.h"

namespace repo {

// A refresh token row as the rotation needs it, with the owner's current role.
struct RefreshTokenState {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string family_id;  // uuid text
  std::string role;       // the owner's role now (not when the token was issued)
  bool expired = false;   // expires_at <= now()
  bool used = false;      // used_at IS NOT NULL
  bool revoked = false;   // revoked_at IS NOT NULL
};

// Inserts a token expiring `ttl_s` seconds from now, in `family_id`, or in a
// new family (a login) when that is nullopt. Returns the family id.
std::string insert_refresh_token(common::pg::Connection& db, int64_t user_id,
                                 const std::string& token_hash,
                                 const std::optional<std::string>& family_id, int ttl_s);

// The token with this hash, locked FOR UPDATE until the transaction ends (so
// two rotations of one token run one after the other), or nullopt. Must run
// inside a transaction.
[[nodiscard]] std::optional<RefreshTokenState> lock_refresh_token(common::pg::Connection& db,
                                                                  const std::string& token_hash);

void mark_refresh_token_used(common::pg::Connection& db, int64_t id);

// Revokes every not yet revoked token of the family; returns how many.
int revoke_refresh_family(common::pg::Connection& db, const std::string& family_id);

// Revokes the family of the token with this hash (logout); returns how many
// tokens were revoked (0 for an unknown token or a revoked family).
int revoke_refresh_family_of(common::pg::Connection& db, const std::string& token_hash);

// Deletes up to `limit` expired or revoked tokens, skipping rows other
// transactions hold locked. Returns how many.
int delete_dead_refresh_tokens(common::pg::Connection& db, int limit);

}  // namespace repo
