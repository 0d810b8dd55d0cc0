// Secrets kept in files under $STATE_DIR: the development JWT key and the
// generated admin password. Files are mode 0600 and created atomically, so
// processes that race to create one all end up with the same contents; a file
// that someone else owns or could read or change is refused, not trusted.
#pragma once

#include <optional>
#include <string>

#include "common/config.h"

namespace common {

// The file's contents without trailing whitespace, or nullopt when the file
// does not exist. Throws std::runtime_error, saying what to fix, when it
// exists but is a symbolic link (it is opened O_NOFOLLOW), not a regular file,
// not owned by the effective user, readable or writable by group or others,
// empty, or cannot be read.
std::optional<std::string> read_secret_file(const std::string& path);

// Creates `path` holding `secret` (mode 0600; missing directories are made)
// unless it already exists, and returns what the file holds afterwards: the
// new secret, or the contents some earlier or concurrent caller wrote. The
// secret is written to a randomly named temp file made with O_EXCL|O_NOFOLLOW
// and linked into place, so nothing planted beside it is written through.
// Throws std::runtime_error on I/O failure and for whatever read_secret_file
// refuses (a symlink at `path` included).
std::string create_secret_file_once(const std::string& path, const std::string& secret);

// $STATE_DIR/jwt-secret
std::string jwt_secret_path(const Config& config);

// Makes config.jwt_secret usable: kept when JWT_SECRET was given; otherwise,
// in development, read from jwt_secret_path() or generated there once (48
// random bytes, base64url); in production, throws ConfigError. Call it in the
// master before forking, so that every worker signs with the same key.
void ensure_jwt_secret(Config& config);

}  // namespace common
