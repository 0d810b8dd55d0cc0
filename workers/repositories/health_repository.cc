#include "workers/repositories/health_repository.h"

#include <exception>

namespace repo {

namespace pg = common::pg;

namespace {

const pg::Statement kPing{"health.ping", pg::Role::kService, pg::Effect::kRead, "SELECT 1"};

}  // namespace

bool ping(pg::Connection& db) {
  try {
    const pg::Result r = db.exec(kPing, {});
    return r.rows() == 1;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace repo
