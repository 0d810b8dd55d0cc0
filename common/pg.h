// libpq, the RAII way. One Connection per worker process, opened after fork()
// and kept for the process's life. Every statement is a named constant,
// prepared once per connection; parameters always travel apart from the text.
//
//   const pg::Statement kCategoryList{"catalog.category_list", pg::Role::kService,
//                                     pg::Effect::kRead,
//                                     "SELECT id, name FROM categories ORDER BY name"};
//   pg::Result r = db.exec(kCategoryList, {});
//
// Errors are classified by SQLSTATE, never by message text (DbError::kind()).
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/error.h"

namespace common::pg {

// Which process runs a statement. Each process opens its connections for the
// roles it plays and prepares (and may run) only the statements of those
// roles: a worker never prepares what `migrate` runs, and running a statement
// of another role is a bug that exec() reports as DbErrorKind::kMisuse.
enum class Role : unsigned {
  kService = 1u << 0,     // the repositories: what requests (and `user create`) run
  kMigrate = 1u << 1,     // `ecommerce-server migrate`
  kSeed = 1u << 2,        // `seed` and `seed-large`
  kPoolAdmin = 1u << 3,   // the master's short-lived connections (db_admin)
  kTestRoutes = 1u << 4,  // the /__test/* routes, only when ENABLE_TEST_ROUTES=1
  kTest = 1u << 5,        // the test suites' own statements
  kJobs = 1u << 6,        // the job runners' queue statements (claim, finish, ...)
  kReplica = 1u << 7,     // a worker's read-replica connection (common/read_replica.h)
};

// A set of roles, e.g. Roles{Role::kSeed, Role::kService}.
class Roles {
 public:
  constexpr Roles() = default;  // none
  constexpr Roles(std::initializer_list<Role> roles) {
    for (const Role role : roles) bits_ |= static_cast<unsigned>(role);
  }
  static constexpr Roles all() {
    Roles every;
    every.bits_ = ~0u;
    return every;
  }
  constexpr bool contains(Role role) const { return (bits_ & static_cast<unsigned>(role)) != 0; }

 private:
  unsigned bits_ = 0;
};

// What running a statement does, which decides whether a statement whose
// connection was lost on the way may be sent again.
enum class Effect {
  // Changes nothing that outlives the session (a SELECT without side effects,
  // BEGIN): running it twice is the same as once, so it is re-run on a new
  // connection when the old one was lost before the answer came.
  kRead,
  // Anything else. Never sent twice: when the connection is lost before the
  // answer, nobody knows whether it was applied, and the caller gets
  // DbErrorKind::kConnection (503 UNAVAILABLE) instead of a second attempt.
  kWrite,
};

// A named SQL statement. Constructing one at namespace scope registers it;
// a Connection prepares the registered statements of its roles right after
// connecting (or on first use, see ConnectionOptions::prepare_on_connect).
// Names must be unique (a duplicate aborts the program at start-up); the
// convention is "<area>.<what>".
class Statement {
 public:
  Statement(const char* name, Role role, Effect effect, const char* sql);
  const char* name() const { return name_; }
  const char* sql() const { return sql_; }
  Role role() const { return role_; }
  Effect effect() const { return effect_; }
  static const std::vector<const Statement*>& registry();
  // The registered statement of that name, or nullptr.
  static const Statement* find(std::string_view name);

 private:
  const char* name_;
  Role role_;
  Effect effect_;
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
  // The program used this layer wrongly, no SQLSTATE: a column read as a type
  // it does not hold, a row or column out of range, a statement of a role the
  // connection was not opened for.
  kMisuse,
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

// Owns one PGresult. The accessors throw DbError(kMisuse) for a row or column
// out of range and for a value that is not of the type asked for (a NULL
// included, except where nullopt stands for it): a mismatch between the SQL
// and the code reading it.
class Result {
 public:
  explicit Result(PGresult* res) : res_(res, &PQclear) {}
  int rows() const { return PQntuples(res_.get()); }
  int affected() const;  // PQcmdTuples; 0 for a command that reports none
  bool is_null(int row, int col) const;
  std::string_view text(int row, int col) const;  // "" for NULL
  std::string str(int row, int col) const { return std::string(text(row, col)); }
  std::optional<std::string> opt_str(int row, int col) const;
  int64_t int64(int row, int col) const;
  std::optional<int64_t> opt_int64(int row, int col) const;
  bool boolean(int row, int col) const;  // 't' / 'f'

 private:
  void check_cell(int row, int col) const;
  [[noreturn]] void misuse(int row, int col, const char* problem) const;

  std::unique_ptr<PGresult, decltype(&PQclear)> res_;
};

using Param = std::optional<std::string>;  // nullopt is SQL NULL
using Params = std::vector<Param>;

struct ConnectionOptions {
  std::string conninfo;                        // DATABASE_URL
  int connect_timeout_s = 3;                   // libpq connect_timeout
  int statement_timeout_ms = 10000;            // server-side statement_timeout; 0 = none
  std::chrono::milliseconds min_backoff{100};  // after a failed connect attempt
  // Doubling up to this: a worker notices a PostgreSQL that is back within
  // about a second, however long it was away.
  std::chrono::milliseconds max_backoff{1000};
  std::string application_name = "ecommerce-server";  // shown in pg_stat_activity
  // The statements this connection prepares and runs (see Role).
  Roles roles{Role::kService};
  // true: the registered statements of `roles` are prepared right after
  // connecting, so a broken statement fails at start-up. false: each is
  // prepared on first use (the CLI tools, which run before the schema exists).
  bool prepare_on_connect = true;
  // false: the connection hook (Hooks::connection) is not told about this
  // connection, e.g. a worker's second connection to a read replica, so that
  // the scoreboard keeps naming the primary's backend.
  bool report_connection = true;
};

class Connection {
 public:
  // Does not connect: the first ensure_connected()/exec()/command() does.
  explicit Connection(ConnectionOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects (and prepares the registered statements of its roles) unless
  // already connected. Outside a transaction, a connection the server closed
  // while it was idle (a restart, pg_terminate_backend) is noticed here and
  // replaced before anything is sent on it. Sessions run with TimeZone=UTC.
  // While the backoff after a failed attempt has not run out, fails at once
  // without trying. Throws DbError(kConnection) on failure.
  void ensure_connected();
  bool connected() const;
  // Drops the connection (the next call reconnects).
  void reset();

  // Runs a prepared statement (parameters in text format). When the
  // connection is lost before the answer, outside a transaction: a kRead
  // statement is re-run once on a new connection; a kWrite statement is not
  // sent again (it may have been applied) and the call throws
  // DbError(kConnection) once a new connection is made (or could not be).
  // Throws DbError; its message names the statement and carries the server's
  // primary message, never a parameter's value. A statement of a role this
  // connection was not opened for is DbError(kMisuse), before anything is sent.
  [[nodiscard]] Result exec(const Statement& statement, const Params& params);
  // Runs a fixed command without parameters (BEGIN, COMMIT, ROLLBACK, SET ...)
  // through the simple-query protocol, so `sql` may hold several statements.
  // `effect` says whether it may be re-run after a lost connection, as for
  // exec(). Throws DbError.
  void command(const char* sql, Effect effect);
  bool in_transaction() const;

  PGconn* raw() { return conn_; }

 private:
  void connect_now();
  // Outside a transaction: drops a connection the server has closed.
  void drop_if_closed_while_idle();
  // True when `res` (the failed answer of a round trip) says the session is
  // gone: libpq lost the connection, or the server ended it (57P01..57P03).
  bool connection_lost(const PGresult* res) const;
  // After a lost connection: a new one now, so the next request finds it.
  void reconnect_quietly();
  // A kWrite whose connection was lost before the answer: reconnects, then
  // throws DbError(kConnection) without sending it again.
  [[noreturn]] void lost_before_answer(const PGresult* res, const char* what);
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
// times in total; after that the DbError propagates. The exception that
// ended fn always propagates: a ROLLBACK that fails as well is logged and the
// connection dropped (the next call reconnects), never thrown in its place.
template <class Fn>
auto transaction(Connection& conn, Fn&& fn, int attempts = 3) -> decltype(fn(conn));

}  // namespace common::pg

#include "common/pg_transaction.h"
