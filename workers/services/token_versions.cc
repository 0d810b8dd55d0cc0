#include "workers/services/token_versions.h"

#include "common/error.h"
#include "workers/repositories/user_repository.h"

namespace services {

using common::AppError;
using common::ErrorCode;

TokenVersions::TokenVersions(Lookup lookup) : lookup_(std::move(lookup)) {
  if (!lookup_)
    lookup_ = [](common::pg::Connection& db, int64_t id) { return repo::token_version(db, id); };
}

void TokenVersions::check(common::pg::Connection& db, int64_t user_id, int64_t ver, int lag_s,
                          int64_t now) {
  auto it = entries_.find(user_id);
  const bool fresh = it != entries_.end() && lag_s > 0 && now - it->second.read_at < lag_s &&
                     ver <= it->second.version;
  if (!fresh) {
    const std::optional<int64_t> current = lookup_(db, user_id);
    if (!current) {
      entries_.erase(user_id);
      throw AppError(ErrorCode::kUnauthorized, "access token is revoked: the account is gone");
    }
    if (it == entries_.end() && entries_.size() >= kMaxEntries) entries_.clear();
    it = entries_.insert_or_assign(user_id, Entry{*current, now}).first;
  }
  if (ver != it->second.version) {
    throw AppError(ErrorCode::kUnauthorized,
                   "access token is revoked: the account's password or role changed");
  }
}

TokenVersions& process_token_versions() {
  static TokenVersions versions;
  return versions;
}

}  // namespace services
