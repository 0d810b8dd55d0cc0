// libpq, the RAII way. One Connection per worker process, opened after fork()
// and kept for the process's life. Every statement is a named constant,
// prepared once per connection; parameters always travel apart from the text.
//
//   const pg::Statement kCategoryList{"catalog.category_list",
//                                     "SELECT id, name FROM categories ORDER BY name"};
//   pg::Result r = db.exec(kCategoryList, {});
//
// Errors are classified by SQLSTATE, never by message text (DbError::kind()).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/error.h"

namespace common::pg {

// A named SQL statement. Constructing one at namespace scope registers it, and
// every Connection prepares all registered statements right after connecting.
// Names must be unique (a duplicate aborts the program at start-up); the
// convention is "<area>.<what>". A Statement registered after a Connection
// connected (a function-local static) is prepared on its first use.
class Statement {
 public:
  Statement(const char* name, const char* sql);
  const char* name() const { return name_; }
  const char* sql() const { return sql_; }
  static const std::vector<const Statement*>& registry();

 private:
  const char* name_;
  const char* sql_;
};

enum class DbErrorKind {
  kUniqueViolation,      // 23505
  kForeignKeyViolation,  // 23503
  kCheckViolation,       // 23514
  kNotNullViolation,     // 23502
  kInvalidInput,         // class 22 (data exception), e.g. out of range
  kRetryable,            // 40001 serialization_failure, 40P01 deadlock_detected
  kQueryCanceled,        // 57014 (statement_timeout or PQcancel)
  kConnection,           // class 08, 57P01..57P03, or the connection is gone
  kOther,
};

DbErrorKind classify_sqlstate(std::string_view sqlstate);

class DbError : public std::runtime_error {
 public:
  DbError(DbErrorKind kind, std::string sqlstate, std::string constraint, std::string message)
      : std::runtime_error(std::move(message)),
        kind_(kind),
        sqlstate_(std::move(sqlstate)),
        constraint_(std::move(constraint)) {}
  DbErrorKind kind() const { return kind_; }
  const std::string& sqlstate() const { return sqlstate_; }
  // The violated constraint's name, when the server said (e.g. "products_sku_key").
  const std::string& constraint() const { return constraint_; }

 private:
  DbErrorKind kind_;
  std::string sqlstate_;
  std::string constraint_;
};

// The one place a database error the service did not handle becomes an API
// error: connection -> 503 UNAVAILABLE, canceled -> 504 TIMEOUT, everything
// else -> 500 INTERNAL_ERROR. SQL text and server messages go to log_detail.
AppError to_app_error(const DbError& error);

// Owns one PGresult.
class Result {
 public:
  explicit Result(PGresult* res) : res_(res, &PQclear) {}
  int rows() const { return PQntuples(res_.get()); }
  int affected() const;  // PQcmdTuples
  bool is_null(int row, int col) const { return PQgetisnull(res_.get(), row, col) != 0; }
  std::string_view text(int row, int col) const;
  std::string str(int row, int col) const { return std::string(text(row, col)); }
  int64_t int64(int row, int col) const;  // throws AppError(kInternal) on a non-integer
  std::optional<int64_t> opt_int64(int row, int col) const;
  bool boolean(int row, int col) const;  // 't' / 'f'

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> res_;
};

using Param = std::optional<std::string>;  // nullopt is SQL NULL
using Params = std::vector<Param>;

struct ConnectionOptions {
  std::string conninfo;                         // DATABASE_URL
  int connect_timeout_s = 3;                    // libpq connect_timeout
  int statement_timeout_ms = 10000;             // server-side statement_timeout; 0 = none
  std::chrono::milliseconds min_backoff{100};   // after a failed connect attempt
  std::chrono::milliseconds max_backoff{5000};  // doubling up to this
  // true: every registered Statement is prepared right after connecting, so a
  // broken statement fails at start-up. false: each is prepared on first use
  // (the CLI tools, which run before the schema exists).
  bool prepare_on_connect = true;
};

class Connection {
 public:
  // Does not connect: the first ensure_connected()/exec()/command() does.
  explicit Connection(ConnectionOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects (and prepares every registered Statement) unless already
  // connected. Sessions run with TimeZone=UTC. While the backoff after a failed
  // attempt has not run out, fails at once without trying. Throws
  // DbError(kConnection) on failure.
  void ensure_connected();
  bool connected() const;
  // Drops the connection (the next call reconnects).
  void reset();

  // Runs a prepared statement (parameters in text format). Outside a
  // transaction, a connection found dead is re-established and the statement
  // retried once. Throws DbError; its message names the statement and carries
  // the server's primary message, never a parameter's value.
  [[nodiscard]] Result exec(const Statement& statement, const Params& params);
  // Runs a fixed command without parameters (BEGIN, COMMIT, ROLLBACK, SET ...)
  // through the simple-query protocol, so `sql` may hold several statements.
  // Reconnects and retries like exec(). Throws DbError.
  void command(const char* sql);
  bool in_transaction() const;

  PGconn* raw() { return conn_; }

 private:
  void connect_now();
  [[noreturn]] void throw_from_result(const PGresult* res, const char* what);

  ConnectionOptions options_;
  PGconn* conn_ = nullptr;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
  std::unordered_set<const Statement*> prepared_;  // on this session
};

// Observers of this process's database work, for the worker pool's scoreboard:
// the slow-request log names the statement a request is running, and the
// master cancels a timed-out request's query through its backend pid.
// Process-wide (one connection per worker); any member may be null; a hook
// must be cheap and must not throw.
struct Hooks {
  // After connecting: the backend's pid. After the connection is dropped, or a
  // connection attempt failed: 0.
  void (*connection)(int backend_pid) = nullptr;
  // Around each round trip of exec() and command(): the statement's name
  // ("command" for command()) and SQL text, then the time it took.
  void (*statement_begin)(const char* name, const char* sql) = nullptr;
  void (*statement_end)(std::chrono::microseconds elapsed) = nullptr;
};
void set_hooks(const Hooks& hooks);

// Runs fn(conn) between BEGIN and COMMIT, rolling back on any exception.
// Serialization failures and deadlocks (kRetryable) re-run fn up to `attempts`
// times in total; after that the DbError propagates.
template <class Fn>
auto transaction(Connection& conn, Fn&& fn, int attempts = 3) -> decltype(fn(conn));

}  // namespace common::pg

#include "common/pg_transaction.h"
