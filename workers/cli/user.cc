// `user create --email E [--role admin|user]`: creates an account or changes
// an existing one's role (and password, when one is given), on a running
// database. The password comes from standard input, never from the command
// line, where other users could read it in the process list.
#include "workers/cli/user.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "common/random.h"
#include "common/secrets.h"
#include "workers/cli/cli_support.h"
#include "workers/cli/commands.h"
#include "workers/repositories/user_repository.h"
#include "workers/services/account_changes.h"
#include "workers/services/auth_service.h"

namespace cli {

namespace {

namespace pg = common::pg;

constexpr const char* kUserUsage =
    "usage: ecommerce-server user create --email EMAIL [--role admin|user]\n"
    "The password is read from standard input (first line). With no password, an existing\n"
    "account keeps its own and only its role changes.\n";

constexpr size_t kGeneratedPasswordBytes = 18;  // 24 base64url characters

struct CreateArgs {
  std::string email;
  std::string role = "user";
};

// `--name value` or `--name=value`; false (after saying why) on anything else.
bool parse_create_args(const std::vector<std::string>& args, CreateArgs& out) {
  bool has_email = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::string value;
    if (const size_t eq = name.find('='); name.starts_with("--") && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      std::fprintf(stderr, "user create: %s needs a value\n", name.c_str());
      return false;
    }
    if (name == "--email") {
      out.email = value;
      has_email = true;
    } else if (name == "--role") {
      out.role = value;
    } else {
      std::fprintf(stderr, "user create: unexpected argument '%s'\n", name.c_str());
      return false;
    }
  }
  if (!has_email) std::fprintf(stderr, "user create: --email is required\n");
  return has_email;
}

// The first line of standard input without its line end; nullopt when empty.
// On a terminal, asks for it with echo off.
std::optional<std::string> read_password(const std::string& email) {
  const bool tty = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "password for %s (empty: keep the current one): ", email.c_str());
    std::fflush(stderr);
    if (::tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) return std::nullopt;
  return line;
}

// "email: problem; password: problem" from a VALIDATION_ERROR's details.
std::string describe_details(const common::AppError& e) {
  std::string out;
  for (const auto& name : e.details().getMemberNames()) {
    out += (out.empty() ? "" : "; ") + name + " " + e.details()[name].asString();
  }
  return out.empty() ? e.what() : out;
}

int create_user(const common::Config& config, const CreateArgs& args) {
  const std::optional<std::string> password = read_password(args.email);
  pg::Connection db(db_options(config, {pg::Role::kService}));
  const services::AccountChange change =
      services::upsert_account(db, config.bcrypt_cost, args.email, password, args.role);
  const std::string email = services::normalise_email(args.email);
  if (change.created) {
    std::printf("created user %lld %s (%s)\n", static_cast<long long>(change.user_id),
                email.c_str(), args.role.c_str());
  } else if (!change.role_changed && !change.password_changed) {
    std::printf("user %lld %s is already %s; nothing changed\n",
                static_cast<long long>(change.user_id), email.c_str(), args.role.c_str());
  } else {
    std::printf("updated user %lld %s: role %s%s; its sessions are ended\n",
                static_cast<long long>(change.user_id), email.c_str(), args.role.c_str(),
                change.password_changed ? ", new password" : "");
  }
  return 0;
}

}  // namespace

int user(const common::Config& config, const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "create") {
    std::fputs(kUserUsage, stderr);
    return 2;
  }
  CreateArgs create;
  if (!parse_create_args({args.begin() + 1, args.end()}, create)) {
    std::fputs(kUserUsage, stderr);
    return 2;
  }
  if (config.database_url.empty()) {
    std::fprintf(stderr, "user: DATABASE_URL is not set\n");
    return 2;
  }
  try {
    return create_user(config, create);
  } catch (const common::AppError& e) {
    std::fprintf(stderr, "user create: %s\n", describe_details(e).c_str());
  } catch (const pg::DbError& e) {
    std::fprintf(stderr, "user create: %s\n", describe(e).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "user create: %s\n", e.what());
  }
  return 1;
}

bool seed_admin_account(const common::Config& config, pg::Connection& db) {
  try {
    const std::string email = services::normalise_email(config.admin_email);
    if (const auto existing = repo::find_user_by_email(db, email)) {
      if (existing->role != "admin") {
        std::fprintf(stderr,
                     "seed: warning: %s has an account without the admin role; not promoted "
                     "(use `ecommerce-server user create --email %s --role admin`)\n",
                     email.c_str(), email.c_str());
      }
      return true;
    }
    std::string password = config.admin_password;
    if (password.empty()) {
      const std::string path = config.state_dir + "/admin-password";
      const std::optional<std::string> kept = common::read_secret_file(path);
      password = kept ? *kept
                      : common::create_secret_file_once(
                            path, common::random_token(kGeneratedPasswordBytes));
      // stdout ends up in journals and CI logs: production names the file only.
      if (!kept && config.app_env == common::AppEnv::kProduction) {
        std::printf("seed: generated the password of admin %s into %s (0600)\n", email.c_str(),
                    path.c_str());
      } else if (!kept) {
        std::printf("seed: generated the password of admin %s: %s (kept in %s)\n", email.c_str(),
                    password.c_str(), path.c_str());
      }
    }
    const auto change = services::upsert_account(db, config.bcrypt_cost, email, password, "admin");
    std::printf("seed: admin account %s (user %lld)\n", email.c_str(),
                static_cast<long long>(change.user_id));
    return true;
  } catch (const common::AppError& e) {
    std::fprintf(stderr, "seed: admin account (ADMIN_EMAIL/ADMIN_PASSWORD): %s\n",
                 describe_details(e).c_str());
  } catch (const pg::DbError& e) {
    std::fprintf(stderr, "seed: admin account: %s\n", describe(e).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seed: admin account: %s\n", e.what());
  }
  return false;
}

}  // namespace cli
