// What the database subcommands (migrate, seed, seed-large) share.
#pragma once

#include <string>

#include "common/config.h"
#include "common/pg.h"

namespace cli {

// Connection options for a command-line tool that runs the statements of
// `roles`: no statement timeout (migrations and bulk loads may run long) and
// statements prepared on first use (the schema may not exist yet when they
// connect).
common::pg::ConnectionOptions db_options(const common::Config& config, common::pg::Roles roles);

// The whole file as bytes. Throws std::runtime_error naming the path when it
// cannot be read.
std::string read_file(const std::string& path);

// "<message> (SQLSTATE <code>)", or the message alone when there is no code.
std::string describe(const common::pg::DbError& error);

}  // namespace cli
