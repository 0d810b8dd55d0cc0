#include "common/pg.h"

#include <poll.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/log.h"

namespace common::pg {

namespace {

using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::vector<const Statement*>& mutable_registry() {
  static std::vector<const Statement*> statements;
  return statements;
}

// libpq's multi-line messages on one line, for errors and log lines.
std::string trimmed(const char* text) {
  std::string s;
  for (const char* c = text ? text : ""; *c; ++c) {
    const bool space = *c == '\n' || *c == '\t' || *c == ' ';
    if (!space) {
      s += *c;
    } else if (!s.empty() && s.back() != ' ') {
      s += ' ';
    }
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::string field(const PGresult* res, int code) {
  const char* value = res ? PQresultErrorField(res, code) : nullptr;
  return value ? value : "";
}

bool succeeded(const PGresult* res) {
  if (res == nullptr) return false;
  const ExecStatusType status = PQresultStatus(res);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
}

// The server's primary message (without the DETAIL, which may quote values).
std::string primary_message(const PGresult* res, PGconn* conn) {
  std::string message = field(res, PG_DIAG_MESSAGE_PRIMARY);
  if (message.empty() && res) message = trimmed(PQresultErrorMessage(res));
  if (message.empty() && conn) message = trimmed(PQerrorMessage(conn));
  return message.empty() ? "unknown error" : message;
}

// The server's message for an error, fit for logs: data exceptions (class 22)
// quote the offending value, which may be a parameter (a password, say), so
// their quoted parts are withheld.
std::string error_message(const PGresult* res, PGconn* conn) {
  const std::string message = primary_message(res, conn);
  if (!field(res, PG_DIAG_SQLSTATE).starts_with("22")) return message;
  std::string withheld;
  bool quoted = false;
  for (const char c : message) {
    if (c == '"') {
      withheld += quoted ? "\"" : "\"...";
      quoted = !quoted;
    } else if (!quoted) {
      withheld += c;
    }
  }
  return withheld;
}

// Server notices (NOTICE, WARNING) go to the log rather than to stderr.
void log_notice(void*, const PGresult* res) {
  const std::string severity = field(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  const Json::Value message = primary_message(res, nullptr);
  if (severity == "WARNING") {
    log::warn("database warning", {{"message", message}});
  } else {
    log::debug("database notice", {{"severity", severity}, {"message", message}});
  }
}

// "BEGIN", "COMMIT", "CREATE": the first word of a command after any leading
// comments, to name it in errors.
std::string first_word(const char* sql) {
  std::string_view s(sql);
  for (;;) {
    const size_t start = s.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return "empty command";
    s.remove_prefix(start);
    if (s.starts_with("--")) {
      const size_t eol = s.find('\n');
      if (eol == std::string_view::npos) return "empty command";
      s.remove_prefix(eol);
    } else if (s.starts_with("/*")) {
      const size_t end = s.find("*/");
      if (end == std::string_view::npos) return "empty command";
      s.remove_prefix(end + 2);
    } else {
      return std::string(s.substr(0, std::min(s.find_first_of(" \t\r\n;("), size_t{32})));
    }
  }
}

Hooks g_hooks;

// Calls the statement hooks around one round trip, exceptions included.
class StatementScope {
 public:
  StatementScope(const char* name, const char* sql) {
    if (g_hooks.statement_begin == nullptr && g_hooks.statement_end == nullptr) return;
    active_ = true;
    started_ = std::chrono::steady_clock::now();
    if (g_hooks.statement_begin) g_hooks.statement_begin(name, sql);
  }
  ~StatementScope() {
    if (!active_ || g_hooks.statement_end == nullptr) return;
    g_hooks.statement_end(std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_));
  }
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;

 private:
  bool active_ = false;
  std::chrono::steady_clock::time_point started_;
};

void notify_connection(int backend_pid) {
  if (g_hooks.connection) g_hooks.connection(backend_pid);
}

template <class Int>
bool parse_integer(std::string_view text, Int& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

void set_hooks(const Hooks& hooks) { g_hooks = hooks; }

// --- Statement --------------------------------------------------------------

Statement::Statement(const char* name, Role role, Effect effect, const char* sql)
    : name_(name), role_(role), effect_(effect), sql_(sql) {
  if (find(name) != nullptr) {
    std::fprintf(stderr, "pg::Statement '%s' is defined twice\n", name);
    std::abort();
  }
  mutable_registry().push_back(this);
}

const std::vector<const Statement*>& Statement::registry() { return mutable_registry(); }

const Statement* Statement::find(std::string_view name) {
  for (const Statement* statement : mutable_registry()) {
    if (name == statement->name_) return statement;
  }
  return nullptr;
}

// --- errors -----------------------------------------------------------------

DbErrorKind classify_sqlstate(std::string_view sqlstate) {
  if (sqlstate == "23505") return DbErrorKind::kUniqueViolation;
  if (sqlstate == "23503") return DbErrorKind::kForeignKeyViolation;
  if (sqlstate == "23514") return DbErrorKind::kCheckViolation;
  if (sqlstate == "23502") return DbErrorKind::kNotNullViolation;
  if (sqlstate == "40001" || sqlstate == "40P01") return DbErrorKind::kRetryable;
  if (sqlstate == "57014") return DbErrorKind::kQueryCanceled;
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    return DbErrorKind::kConnection;
  }
  if (sqlstate.size() == 5 && sqlstate.starts_with("22")) return DbErrorKind::kInvalidInput;
  if (sqlstate.size() == 5 && sqlstate.starts_with("08")) return DbErrorKind::kConnection;
  return DbErrorKind::kOther;
}

AppError to_app_error(const DbError& error) {
  std::string detail = "SQLSTATE " + (error.sqlstate().empty() ? "-" : error.sqlstate());
  if (!error.constraint().empty()) detail += " constraint " + error.constraint();
  detail += ": ";
  detail += error.what();
  switch (error.kind()) {
    case DbErrorKind::kConnection:
      return AppError(ErrorCode::kUnavailable, "database unavailable", Json::Value(), detail);
    case DbErrorKind::kQueryCanceled:
      return AppError(ErrorCode::kTimeout, "database query timed out", Json::Value(), detail);
    default:
      return AppError(ErrorCode::kInternal, "internal error", Json::Value(), detail);
  }
}

// --- Result -----------------------------------------------------------------

int Result::affected() const {
  int n = 0;
  return parse_integer(std::string_view(PQcmdTuples(res_.get())), n) ? n : 0;
}

std::string_view Result::text(int row, int col) const {
  check_cell(row, col);
  return std::string_view(PQgetvalue(res_.get(), row, col),
                          static_cast<size_t>(PQgetlength(res_.get(), row, col)));
}

void Result::misuse(int row, int col, const char* problem) const {
  throw DbError(DbErrorKind::kMisuse, "", "",
                "column " + std::to_string(col) + " of row " + std::to_string(row) + " " + problem);
}

void Result::check_cell(int row, int col) const {
  if (row < 0 || row >= rows() || col < 0 || col >= PQnfields(res_.get())) {
    misuse(row, col, "is out of range");
  }
}

bool Result::is_null(int row, int col) const {
  check_cell(row, col);
  return PQgetisnull(res_.get(), row, col) != 0;
}

std::optional<std::string> Result::opt_str(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return str(row, col);
}

int64_t Result::int64(int row, int col) const {
  int64_t value = 0;
  if (is_null(row, col) || !parse_integer(text(row, col), value)) {
    misuse(row, col, "is not an integer");
  }
  return value;
}

std::optional<int64_t> Result::opt_int64(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return int64(row, col);
}

bool Result::boolean(int row, int col) const {
  const std::string_view v = is_null(row, col) ? std::string_view() : text(row, col);
  if (v == "t") return true;
  if (v == "f") return false;
  misuse(row, col, "is not a boolean");
}

// --- Connection -------------------------------------------------------------

Connection::Connection(ConnectionOptions options) : options_(std::move(options)) {}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::connected() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

void Connection::reset() {
  PQfinish(conn_);
  conn_ = nullptr;
  prepared_.clear();
  if (options_.report_connection) notify_connection(0);
}

bool Connection::in_transaction() const {
  if (conn_ == nullptr) return false;
  const PGTransactionStatusType status = PQtransactionStatus(conn_);
  return status != PQTRANS_IDLE && status != PQTRANS_UNKNOWN;
}

void Connection::drop_if_closed_while_idle() {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) return;
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) return;
  // An idle session has nothing to say; readable input is the server's
  // goodbye (an error, then the end of the stream). Reading it lets libpq see
  // the connection close, so that nothing is sent on a dead connection.
  for (int reads = 0; reads < 4; ++reads) {
    pollfd p{PQsocket(conn_), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return;
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) break;
  }
  if (PQstatus(conn_) == CONNECTION_OK) return;
  log::warn("database connection closed while idle", {{"reason", trimmed(PQerrorMessage(conn_))}});
  reset();
}

bool Connection::connection_lost(const PGresult* res) const {
  return PQstatus(conn_) != CONNECTION_OK ||
         classify_sqlstate(field(res, PG_DIAG_SQLSTATE)) == DbErrorKind::kConnection;
}

void Connection::reconnect_quietly() {
  try {
    ensure_connected();
  } catch (const DbError&) {
    // Already logged; the next call tries again after the backoff.
  }
}

void Connection::ensure_connected() {
  drop_if_closed_while_idle();
  if (connected()) return;
  if (conn_ != nullptr) {
    log::warn("database connection closed", {{"reason", trimmed(PQerrorMessage(conn_))}});
    reset();
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now);
    throw DbError(DbErrorKind::kConnection, "", "",
                  "database unavailable (next connection attempt in " +
                      std::to_string(wait.count()) + " ms)");
  }
  connect_now();
}

void Connection::connect_now() {
  const std::string connect_timeout = std::to_string(options_.connect_timeout_s);
  const std::string session_options =
      "-c TimeZone=UTC -c statement_timeout=" + std::to_string(options_.statement_timeout_ms);
  // dbname comes first so that the keywords after it override the same ones in
  // the connection string (libpq keeps the last value of a repeated keyword).
  const char* keywords[] = {"dbname", "connect_timeout", "options", "application_name", nullptr};
  const char* values[] = {options_.conninfo.c_str(), connect_timeout.c_str(),
                          session_options.c_str(), options_.application_name.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    const std::string reason = conn ? trimmed(PQerrorMessage(conn)) : "out of memory";
    PQfinish(conn);
    backoff_ =
        backoff_.count() == 0 ? options_.min_backoff : std::min(backoff_ * 2, options_.max_backoff);
    next_attempt_ = std::chrono::steady_clock::now() + backoff_;
    log::error("database connection failed",
               {{"reason", reason}, {"retry_in_ms", static_cast<Json::Int64>(backoff_.count())}});
    if (options_.report_connection) notify_connection(0);
    throw DbError(DbErrorKind::kConnection, "", "", "cannot connect to the database: " + reason);
  }
  conn_ = conn;
  backoff_ = std::chrono::milliseconds(0);
  next_attempt_ = {};
  prepared_.clear();
  PQsetNoticeReceiver(conn_, &log_notice, nullptr);
  log::debug("database connected", {{"backend_pid", PQbackendPID(conn_)}});
  if (options_.report_connection) notify_connection(PQbackendPID(conn_));

  if (!options_.prepare_on_connect) return;
  for (const Statement* statement : Statement::registry()) {
    if (!options_.roles.contains(statement->role())) continue;
    ResultPtr res(PQprepare(conn_, statement->name(), statement->sql(), 0, nullptr), &PQclear);
    if (!succeeded(res.get())) {
      if (PQstatus(conn_) != CONNECTION_OK) throw_from_result(res.get(), statement->name());
      // A statement that does not prepare is a bug in its SQL: say which one.
      throw DbError(DbErrorKind::kOther, field(res.get(), PG_DIAG_SQLSTATE), "",
                    std::string("cannot prepare statement ") + statement->name() + ": " +
                        error_message(res.get(), conn_));
    }
    prepared_.insert(statement);
  }
}

void Connection::throw_from_result(const PGresult* res, const char* what) {
  const std::string sqlstate = field(res, PG_DIAG_SQLSTATE);
  const std::string message = std::string(what) + ": " + error_message(res, conn_);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    if (conn_ != nullptr) {
      log::warn("database connection lost", {{"reason", primary_message(res, conn_)}});
      reset();
    }
    throw DbError(DbErrorKind::kConnection, sqlstate, "", message);
  }
  throw DbError(classify_sqlstate(sqlstate), sqlstate, field(res, PG_DIAG_CONSTRAINT_NAME),
                message);
}

Result Connection::exec(const Statement& statement, const Params& params) {
  if (!options_.roles.contains(statement.role())) {
    throw DbError(DbErrorKind::kMisuse, "", "",
                  std::string("statement ") + statement.name() +
                      " is not of a role this connection was opened for");
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);

  for (int attempt = 1;; ++attempt) {
    ensure_connected();
    const bool outside_transaction = !in_transaction();
    bool sent = false;  // a failed PQprepare means the statement itself never left
    ResultPtr res(nullptr, &PQclear);
    if (!prepared_.contains(&statement)) {
      res.reset(PQprepare(conn_, statement.name(), statement.sql(), 0, nullptr));
      if (succeeded(res.get())) prepared_.insert(&statement);
    }
    if (prepared_.contains(&statement)) {
      const StatementScope scope(statement.name(), statement.sql());
      sent = true;
      res.reset(PQexecPrepared(conn_, statement.name(), static_cast<int>(values.size()),
                               values.data(), nullptr, nullptr, 0));
      if (succeeded(res.get())) return Result(res.release());
    }
    if (outside_transaction && connection_lost(res.get())) {
      const bool repeatable = !sent || statement.effect() == Effect::kRead;
      if (attempt == 1 && repeatable) {
        log::warn("database connection lost; reconnecting to run the statement again",
                  {{"statement", statement.name()}, {"reason", primary_message(res.get(), conn_)}});
        reset();
        continue;
      }
      if (!repeatable) lost_before_answer(res.get(), statement.name());
    }
    throw_from_result(res.get(), statement.name());
  }
}

void Connection::command(const char* sql, Effect effect) {
  for (int attempt = 1;; ++attempt) {
    ensure_connected();
    const bool outside_transaction = !in_transaction();
    ResultPtr res(nullptr, &PQclear);
    {
      const StatementScope scope("command", sql);
      res.reset(PQexec(conn_, sql));
    }
    if (succeeded(res.get())) return;
    if (outside_transaction && connection_lost(res.get())) {
      if (attempt == 1 && effect == Effect::kRead) {
        log::warn("database connection lost; reconnecting to run the command again",
                  {{"command", first_word(sql)}, {"reason", primary_message(res.get(), conn_)}});
        reset();
        continue;
      }
      if (effect == Effect::kWrite) lost_before_answer(res.get(), first_word(sql).c_str());
    }
    throw_from_result(res.get(), first_word(sql).c_str());
  }
}

void Connection::lost_before_answer(const PGresult* res, const char* what) {
  const std::string reason = primary_message(res, conn_);
  log::warn("database connection lost before a write was answered; not sending it again",
            {{"statement", what}, {"reason", reason}});
  reset();
  reconnect_quietly();
  throw DbError(DbErrorKind::kConnection, field(res, PG_DIAG_SQLSTATE), "",
                std::string(what) + ": connection lost before the answer (" + reason +
                    "); not sent again, it may have been applied");
}

namespace detail {

void rollback_after_failure(Connection& conn) noexcept {
  if (!conn.connected() || !conn.in_transaction()) return;
  try {
    conn.command("ROLLBACK", Effect::kWrite);
  } catch (const std::exception& e) {
    log::error("ROLLBACK failed; dropping the connection", {{"detail", e.what()}});
    conn.reset();
  }
}

}  // namespace detail

}  // namespace common::pg
