// Implementation of common::pg::transaction (included from pg.h).
#pragma once

namespace common::pg {

template <class Fn>
auto transaction(Connection& conn, Fn&& fn, int attempts) -> decltype(fn(conn)) {
  for (int attempt = 1;; ++attempt) {
    conn.command("BEGIN");
    try {
      if constexpr (std::is_void_v<decltype(fn(conn))>) {
        fn(conn);
        conn.command("COMMIT");
        return;
      } else {
        auto result = fn(conn);
        conn.command("COMMIT");
        return result;
      }
    } catch (const DbError& e) {
      if (conn.connected() && conn.in_transaction()) conn.command("ROLLBACK");
      if (e.kind() != DbErrorKind::kRetryable || attempt >= attempts) throw;
    } catch (...) {
      if (conn.connected() && conn.in_transaction()) conn.command("ROLLBACK");
      throw;
    }
  }
}

}  // namespace common::pg
