// The database's side of the health probe. Named SQL only.
#pragma once

#include "common/pg.h"

namespace repo {

// True when the database answers a trivial query (reconnecting first when
// the connection is down and its backoff allows). Never throws.
[[nodiscard]] bool ping(common::pg::Connection& db);

}  // namespace repo
