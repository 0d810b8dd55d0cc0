#include "workers/repositories/user_repository.h"

#include "common/time_util.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kInsertUser{"users.insert", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO users (email, hashed_password, role) VALUES ($1, $2, $3)
RETURNING id, email, hashed_password, role, created_at, token_version
)SQL"};

const pg::Statement kFindByEmail{"users.find_by_email", pg::Role::kService, pg::Effect::kRead,
                                 R"SQL(
SELECT id, email, hashed_password, role, created_at, token_version FROM users WHERE email = $1
)SQL"};

const pg::Statement kFindById{"users.find_by_id", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT id, email, hashed_password, role, created_at, token_version FROM users WHERE id = $1
)SQL"};

const pg::Statement kUpdateUser{"users.update", pg::Role::kService, pg::Effect::kWrite, R"SQL(
UPDATE users
SET role = $2, hashed_password = coalesce($3, hashed_password),
    token_version = token_version + CASE WHEN role <> $2 OR $3::text IS NOT NULL THEN 1 ELSE 0 END
WHERE id = $1
)SQL"};

const pg::Statement kSetPassword{"users.set_password", pg::Role::kService, pg::Effect::kWrite,
                                 R"SQL(
UPDATE users SET hashed_password = $2, token_version = token_version + 1 WHERE id = $1
)SQL"};

const pg::Statement kTokenVersion{"users.token_version", pg::Role::kService, pg::Effect::kRead,
                                  "SELECT token_version FROM users WHERE id = $1"};

User user_at(const pg::Result& r, int row) {
  return {r.int64(row, 0),
          r.str(row, 1),
          r.is_null(row, 2) ? std::nullopt : std::optional<std::string>(r.str(row, 2)),
          r.str(row, 3),
          common::pg_timestamp_to_rfc3339(r.text(row, 4)),
          r.int64(row, 5)};
}

std::optional<User> first_user(const pg::Result& r) {
  if (r.rows() == 0) return std::nullopt;
  return user_at(r, 0);
}

}  // namespace

User insert_user(pg::Connection& db, const std::string& email, const std::string& hashed_password,
                 const std::string& role) {
  return user_at(db.exec(kInsertUser, {email, hashed_password, role}), 0);
}

std::optional<User> find_user_by_email(pg::Connection& db, const std::string& email) {
  return first_user(db.exec(kFindByEmail, {email}));
}

std::optional<User> find_user_by_id(pg::Connection& db, int64_t id) {
  return first_user(db.exec(kFindById, {std::to_string(id)}));
}

bool update_user(pg::Connection& db, int64_t id, const std::string& role,
                 const std::optional<std::string>& hashed_password) {
  return db.exec(kUpdateUser, {std::to_string(id), role, hashed_password}).affected() == 1;
}

}  // namespace repo

namespace repo {

bool set_password(pg::Connection& db, int64_t id, const std::string& hashed_password) {
  return db.exec(kSetPassword, {std::to_string(id), hashed_password}).affected() == 1;
}

std::optional<int64_t> token_version(pg::Connection& db, int64_t id) {
  const pg::Result r = db.exec(kTokenVersion, {std::to_string(id)});
  if (r.rows() == 0) return std::nullopt;
  return r.int64(0, 0);
}

}  // namespace repo
