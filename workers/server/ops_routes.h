// The master's two HTTP endpoints, served on STATUS_LISTEN (ops_server.h) as
// one common::Router table run through the workers' dispatch() (dispatch.h),
// so that matching, 404, 405 with Allow, HEAD and the error envelope are the
// same as on the API:
//
//   GET /status    the pool (status.h) in the API.md envelope; ?full adds
//                  "processes"
//   GET /metrics   Prometheus text (metrics.h)
//
// The master holds no database connection: these handlers never use ctx.db,
// and the Connection they are given is never connected.
#pragma once

#include <functional>

#include "common/config.h"
#include "common/http.h"
#include "common/pg.h"
#include "common/router.h"
#include "workers/server/scoreboard.h"
#include "workers/server/status.h"

namespace server {

class OpsRoutes {
 public:
  // `view` assembles the pool's current view; `config` and `board` must
  // outlive this object.
  OpsRoutes(std::function<PoolView()> view, const scoreboard::Scoreboard& board,
            const common::Config& config);
  OpsRoutes(const OpsRoutes&) = delete;
  OpsRoutes& operator=(const OpsRoutes&) = delete;

  // The answer to one request. Never throws.
  common::Response answer(const common::Request& req);

 private:
  std::function<PoolView()> view_;
  const scoreboard::Scoreboard& board_;
  const common::Config& config_;
  common::Router router_;
  common::pg::Connection no_db_;
};

}  // namespace server
