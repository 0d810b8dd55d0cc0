#include "workers/repositories/user_repository.h"

#include "common/time_util.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kInsertUser{"users.insert", pg::Role::kService, pg::Effect::kWrite, R"SQL(
INSERT INTO users (email, hashed_password, role) VALUES ($1, $2, $3)
RETURNING id, email, hashed_password, role, created_at
)SQL"};

const pg::Statement kFindByEmail{"users.find_by_email", pg::Role::kService, pg::Effect::kRead,
                                 R"SQL(
SELECT id, email, hashed_password, role, created_at FROM users WHERE email = $1
)SQL"};

const pg::Statement kFindById{"users.find_by_id", pg::Role::kService, pg::Effect::kRead, R"SQL(
SELECT id, email, hashed_password, role, created_at FROM users WHERE id = $1
)SQL"};

const pg::Statement kUpdateUser{"users.update", pg::Role::kService, pg::Effect::kWrite, R"SQL(
UPDATE users SET role = $2, hashed_password = coalesce($3, hashed_password) WHERE id = $1
)SQL"};

User user_at(const pg::Result& r, int row) {
  return {r.int64(row, 0), r.str(row, 1),
          r.is_null(row, 2) ? std::nullopt : std::optional<std::string>(r.str(row, 2)),
          r.str(row, 3), common::pg_timestamp_to_rfc3339(r.text(row, 4))};
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
