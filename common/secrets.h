// Secrets kept in files under $STATE_DIR: the development JWT key and the
// generated admin password. Files are mode 0600 and created atomically, so
// processes that race to create one all end up with the same contents.
#pragma once

#include <optional>
#include <string>

#include "common/config.h"

namespace common {

// The file's contents without trailing whitespace, or nullopt when the file
// does not exist. Throws std::runtime_error when it exists but cannot be read
// or is empty. Logs a warning when group or others may read it.
std::optional<std::string> read_secret_file(const std::string& path);

// Creates `path` holding `secret` (mode 0600; missing directories are made)
// unless it already exists, and returns what the file holds afterwards: the
// new secret, or the contents some earlier or concurrent caller wrote. Throws
// std::runtime_error on I/O failure.
std::string create_secret_file_once(const std::string& path, const std::string& secret);

// $STATE_DIR/jwt-secret
std::string jwt_secret_path(const Config& config);

// Makes config.jwt_secret usable: kept when JWT_SECRET was given; otherwise,
// in development, read from jwt_secret_path() or generated there once (48
// random bytes, base64url); in production, throws ConfigError. Call it in the
// master before forking, so that every worker signs with the same key.
void ensure_jwt_secret(Config& config);

}  // namespace common
