#include "workers/cli/cli_support.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace cli {

common::pg::ConnectionOptions db_options(const common::Config& config, common::pg::Roles roles) {
  common::pg::ConnectionOptions options;
  options.conninfo = config.database_url;
  options.application_name = "ecommerce-cli";
  options.roles = roles;
  options.connect_timeout_s = config.db_connect_timeout_s;
  options.statement_timeout_ms = 0;
  options.prepare_on_connect = false;
  return options;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read " + path);
  return bytes.str();
}

std::string describe(const common::pg::DbError& error) {
  if (error.sqlstate().empty()) return error.what();
  return std::string(error.what()) + " (SQLSTATE " + error.sqlstate() + ")";
}

}  // namespace cli
