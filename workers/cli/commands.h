// Subcommands of the ecommerce-server binary other than `serve`. Each returns
// the process exit code and reports problems on stderr.
#pragma once

#include <string>
#include <vector>

#include "common/config.h"

namespace cli {

// `migrate` applies pending sql/migrations/NNNN_name.sql files in order, each
// in its own transaction, under a PostgreSQL advisory lock, recording each in
// schema_migrations (version, name, checksum, applied_at). Refuses (exit 1)
// when an applied file was edited (checksum differs) or is missing.
// `migrate status` lists applied and pending files.
int migrate(const common::Config& config, const std::vector<std::string>& args);

// `seed` runs sql/seed.sql (idempotent). `seed-large --products N` adds a
// generated catalogue of N products with about 4 variants each, all stocked.
int seed(const common::Config& config, const std::vector<std::string>& args);
int seed_large(const common::Config& config, const std::vector<std::string>& args);

// `user create --email E [--role admin|user]` (workers/cli/user.cc): creates
// the account, or sets an existing one's role and, when one is given, its
// password. The password is the first line of standard input.
int user(const common::Config& config, const std::vector<std::string>& args);

// `sql --list` prints the names of every named statement the binary
// prepares; `sql NAME...` prints their text (for pgbench, so that the
// benchmark limits run exactly the service's SQL). Needs no database.
int sql(const std::vector<std::string>& args);

// `config` prints every setting (common/settings.h) with its effective value,
// secrets masked, and where it came from: default, env, file (CONFIG_FILE) or
// derived (from other settings). Exit 2, listing every problem, when the
// configuration is invalid. `config --markdown` prints README's settings
// tables instead and needs no configuration.
int config(const std::vector<std::string>& args);

}  // namespace cli
