// The transaction wrapper of the cart, checkout and order services:
// pg::transaction with more attempts, and a database that keeps answering
// "serialization failure" / "deadlock detected" after all of them becomes a
// 503 the client may retry (Retry-After: 1), never a 500.
#pragma once

#include "common/error.h"
#include "common/pg.h"

namespace services {

// Attempts in total for one request's transaction.
inline constexpr int kTransactionAttempts = 5;

template <class Fn>
auto busy_retry_transaction(common::pg::Connection& db, Fn&& fn) -> decltype(fn(db)) {
  try {
    return common::pg::transaction(db, std::forward<Fn>(fn), kTransactionAttempts);
  } catch (const common::pg::DbError& e) {
    if (e.kind() != common::pg::DbErrorKind::kRetryable) throw;
    throw common::AppError(common::ErrorCode::kUnavailable, "the database is busy; retry",
                           Json::Value(),
                           "SQLSTATE " + e.sqlstate() + " after " +
                               std::to_string(kTransactionAttempts) + " attempts: " + e.what())
        .with_header("Retry-After", "1");
  }
}

}  // namespace services
