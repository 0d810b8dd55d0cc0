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
  std::string family_id;      // uuid text
  std::string role;           // the owner's role now (not when the token was issued)
  bool expired = false;       // expires_at <= now()
  bool used = false;          // used_at IS NOT NULL
  bool revoked = false;       // revoked_at IS NOT NULL
  int64_t token_version = 0;  // the owner's token version now
};

// Inserts a token expiring `ttl_s` seconds from now, in `family_id`, or in a
// new family (a login) when that is nullopt. Returns the family id.
std::string insert_refresh_token(common::pg::Connection& db, int64_t user_id,
                                 const std::string& token_hash,
                                 const std::optional<std::string>& family_id, int ttl_s);

// Serialising a family: whatever changes a family's tokens (rotation, reuse
// detection, logout, revoking an account's sessions) first takes the family's
// transaction-scoped advisory lock with one of the lock_* functions below,
// and only then reads or updates its rows. So a revocation sees every token a
// concurrent rotation issued, and a rotation after it sees the revocation.

// Takes the advisory lock of the family of the token with this hash, held
// until the transaction ends; returns the family id, or nullopt for an
// unknown token (nothing locked). Must run inside a transaction.
[[nodiscard]] std::optional<std::string> lock_refresh_family_of(common::pg::Connection& db,
                                                                const std::string& token_hash);

// The token with this hash, locked FOR UPDATE until the transaction ends (so
// two rotations of one token run one after the other), or nullopt. Must run
// inside a transaction.
[[nodiscard]] std::optional<RefreshTokenState> lock_refresh_token(common::pg::Connection& db,
                                                                  const std::string& token_hash);

void mark_refresh_token_used(common::pg::Connection& db, int64_t id);

// Revokes every not yet revoked token of the family; returns how many. The
// caller holds the family's lock (lock_refresh_family_of).
int revoke_refresh_family(common::pg::Connection& db, const std::string& family_id);

// Revokes the family of the token with this hash (logout) in a transaction of
// its own that holds the family's lock; returns how many tokens were revoked
// (0 for an unknown token or a revoked family).
int revoke_refresh_family_of(common::pg::Connection& db, const std::string& token_hash);

// Revokes every refresh token of the account (a password or role change),
// holding the lock of each of its live families, taken in family order.
// Returns how many. Must run inside a transaction.
int revoke_refresh_tokens_of_user(common::pg::Connection& db, int64_t user_id);

// Deletes up to `limit` expired or revoked tokens, skipping rows other
// transactions hold locked. Returns how many.
int delete_dead_refresh_tokens(common::pg::Connection& db, int limit);

}  // namespace repo
