// Implementation of common::pg::transaction (included from pg.h).
#pragma once

#include <exception>
#include <type_traits>

namespace common::pg {

namespace detail {

// Ends a failed transaction without letting a failing ROLLBACK take the place
// of the error that ended it: that one is logged and the connection dropped
// (its state is unknown; the next call reconnects). Defined in pg.cc.
void rollback_after_failure(Connection& conn) noexcept;

}  // namespace detail

template <class Fn>
auto transaction(Connection& conn, Fn&& fn, int attempts) -> decltype(fn(conn)) {
  for (int attempt = 1;; ++attempt) {
    // BEGIN changes nothing yet: safe to send again after a lost connection.
    conn.command("BEGIN", Effect::kRead);
    try {
      if constexpr (std::is_void_v<decltype(fn(conn))>) {
        fn(conn);
        conn.command("COMMIT", Effect::kWrite);
        return;
      } else {
        auto result = fn(conn);
        conn.command("COMMIT", Effect::kWrite);
        return result;
      }
    } catch (const DbError& e) {
      detail::rollback_after_failure(conn);
      if (e.kind() != DbErrorKind::kRetryable || attempt >= attempts || !conn.connected()) throw;
    } catch (...) {
      detail::rollback_after_failure(conn);
      throw;
    }
  }
}

}  // namespace common::pg
