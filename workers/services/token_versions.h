// Ending access tokens early (API.md "Identity"): every access token carries
// its account's token version (claim "ver"), and a password or role change
// bumps the account's version. The access check asks this per-worker cache
// whether a token's version is still the account's.
//
// Consistency rule: an entry (user id -> version, when it was read) is
// trusted for `lag_s` seconds (ACCESS_REVOCATION_LAG_S; 0 = read on every
// request), so a bump takes effect in every worker within that lag. A token
// of a newer version than the entry (issued after a change this worker has
// not seen yet) re-reads at once. The cache is per process, made empty, and
// filled after fork by the worker that owns it; it holds at most
// kMaxEntries users and starts over when full. When the database is down the
// read fails like any other query (503), stale entries are not used.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>

#include "common/pg.h"

namespace services {

class TokenVersions {
 public:
  // Reads the account's current version; nullopt when it no longer exists.
  using Lookup = std::function<std::optional<int64_t>(common::pg::Connection&, int64_t user_id)>;
  static constexpr size_t kMaxEntries = 100000;

  // `lookup` defaults to the users table (repositories/user_repository.h).
  explicit TokenVersions(Lookup lookup = {});

  // Returns when a token of `user_id` with version `ver` is still current at
  // `now` (seconds since the epoch). Throws AppError(kUnauthorized) when the
  // account is gone or has a newer version; pg::DbError when the read fails.
  void check(common::pg::Connection& db, int64_t user_id, int64_t ver, int lag_s, int64_t now);

 private:
  struct Entry {
    int64_t version = 0;
    int64_t read_at = 0;
  };
  Lookup lookup_;
  std::unordered_map<int64_t, Entry> entries_;
};

// This process's cache (what the central access check uses).
TokenVersions& process_token_versions();

}  // namespace services
