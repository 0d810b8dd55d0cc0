#include "workers/repositories/mail_repository.h"

#include "common/pg_params.h"

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kOrderAccountEmail{"mail.order_account_email", pg::Role::kService,
                                       pg::Effect::kRead, R"SQL(
SELECT u.email
FROM orders o
JOIN users u ON u.id = o.user_id
WHERE o.id = $1
)SQL"};

}  // namespace

std::optional<std::string> order_account_email(pg::Connection& db, int64_t order_id) {
  const pg::Result r = db.exec(kOrderAccountEmail, {pg::num(order_id)});
  if (r.rows() == 0) return std::nullopt;
  return r.str(0, 0);
}

}  // namespace repo
