#include "common/secrets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "common/log.h"
#include "common/random.h"
#include "common/unique_fd.h"

namespace common {

namespace {

constexpr size_t kJwtSecretBytes = 48;

std::runtime_error io_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error("cannot write", path);
    }
    done += static_cast<size_t>(n);
  }
}

// Throws unless the open file is a regular file of the effective user that
// nobody else may read or write.
void check_private(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw io_error("cannot stat", path);
  if (!S_ISREG(st.st_mode)) throw std::runtime_error(path + " is not a regular file");
  if (st.st_uid != ::geteuid()) {
    throw std::runtime_error(path + " is owned by uid " + std::to_string(st.st_uid) +
                             ", not by this user (uid " + std::to_string(::geteuid()) +
                             "); chown it to the service user");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw std::runtime_error(path + " has mode " + mode +
                             ": group or others may read or write it; chmod 600 it");
  }
}

// A fresh private file next to `path` that nobody else can have prepared:
// a random name, created exclusively, never through a symlink.
UniqueFd create_temp(const std::string& path, std::string& temp) {
  constexpr int kAttempts = 8;
  for (int i = 0; i < kAttempts; ++i) {
    temp = path + ".tmp." + random_token(9);
    UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() >= 0) return fd;
    if (errno != EEXIST) break;
  }
  throw io_error("cannot create", temp);
}

}  // namespace

std::optional<std::string> read_secret_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    if (errno == ELOOP) {
      throw std::runtime_error(path + " is a symbolic link; a secret file must be a plain file");
    }
    throw io_error("cannot open", path);
  }
  check_private(fd.get(), path);
  std::string contents;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error("cannot read", path);
    }
    if (n == 0) break;
    contents.append(buf, static_cast<size_t>(n));
    if (contents.size() > 64 * 1024) throw std::runtime_error(path + " is too large for a secret");
  }
  while (!contents.empty() && std::isspace(static_cast<unsigned char>(contents.back()))) {
    contents.pop_back();
  }
  if (contents.empty()) throw std::runtime_error(path + " is empty");
  return contents;
}

std::string create_secret_file_once(const std::string& path, const std::string& secret) {
  if (auto existing = read_secret_file(path)) return *existing;
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  // Written in full under a private name, then linked into place: link(2)
  // fails when the name exists, so a reader never sees a half-written file
  // and the first of several racing writers wins.
  std::string temp;
  {
    UniqueFd fd = create_temp(path, temp);
    write_all(fd.get(), secret + "\n", temp);
    if (::fsync(fd.get()) != 0) throw io_error("cannot sync", temp);
  }
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked != 0 && link_errno != EEXIST) {
    errno = link_errno;
    throw io_error("cannot create", path);
  }
  if (linked == 0) return secret;
  return read_secret_file(path).value_or(secret);
}

std::string jwt_secret_path(const Config& config) { return config.state_dir + "/jwt-secret"; }

void ensure_jwt_secret(Config& config) {
  if (!config.jwt_secret.empty()) return;
  if (config.app_env == AppEnv::kProduction) {
    throw ConfigError({"JWT_SECRET must be set when APP_ENV=production"});
  }
  const std::string path = jwt_secret_path(config);
  try {
    config.jwt_secret = create_secret_file_once(path, random_token(kJwtSecretBytes));
  } catch (const std::exception& e) {
    throw ConfigError({std::string("JWT_SECRET is unset and ") + e.what()});
  }
  if (config.jwt_secret.size() < 32) {
    throw ConfigError({path + " must hold at least 32 bytes"});
  }
  log::info("JWT_SECRET unset: using the development key file", {{"path", path}});
}

}  // namespace common
