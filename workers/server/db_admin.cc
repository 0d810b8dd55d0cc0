#include "workers/server/db_admin.h"

#include <libpq-fe.h>

#include <memory>

namespace server {

namespace {

using ConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using ResultPtr = std::unique_ptr<PGresult, decltype(&PQclear)>;

ConnPtr connect(const common::Config& config, std::string& error) {
  const std::string timeout = std::to_string(config.db_connect_timeout_s);
  const char* keywords[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const char* values[] = {config.database_url.c_str(), timeout.c_str(), "ecommerce-master",
                          nullptr};
  ConnPtr conn(PQconnectdbParams(keywords, values, 1), &PQfinish);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    error = conn ? PQerrorMessage(conn.get()) : "out of memory";
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    return ConnPtr(nullptr, &PQfinish);
  }
  return conn;
}

}  // namespace

std::optional<DbLimits> query_db_limits(const common::Config& config, std::string& error) {
  ConnPtr conn = connect(config, error);
  if (!conn) return std::nullopt;
  // reserved_connections exists from PostgreSQL 16 on; missing_ok gives NULL before.
  ResultPtr res(PQexec(conn.get(),
                       "SELECT current_setting('max_connections')::int, "
                       "current_setting('superuser_reserved_connections')::int, "
                       "coalesce(current_setting('reserved_connections', true), '0')::int"),
                &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK || PQntuples(res.get()) != 1) {
    error = PQresultErrorMessage(res.get());
    return std::nullopt;
  }
  DbLimits limits;
  limits.max_connections = std::stoi(PQgetvalue(res.get(), 0, 0));
  limits.reserved = std::stoi(PQgetvalue(res.get(), 0, 1)) + std::stoi(PQgetvalue(res.get(), 0, 2));
  return limits;
}

bool cancel_backend(const common::Config& config, int backend_pid, std::string& error) {
  ConnPtr conn = connect(config, error);
  if (!conn) return false;
  const std::string pid = std::to_string(backend_pid);
  const char* params[] = {pid.c_str()};
  ResultPtr res(PQexecParams(conn.get(), "SELECT pg_cancel_backend($1::int)", 1, nullptr, params,
                             nullptr, nullptr, 0),
                &PQclear);
  if (PQresultStatus(res.get()) != PGRES_TUPLES_OK || PQntuples(res.get()) != 1) {
    error = PQresultErrorMessage(res.get());
    return false;
  }
  if (std::string_view(PQgetvalue(res.get(), 0, 0)) != "t") {
    error = "no such backend (the query had already ended)";
    return false;
  }
  return true;
}

}  // namespace server
