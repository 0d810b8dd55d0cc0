// Dynamic and static sizing decisions (workers/server/sizing.h), table-driven.
#include <catch2/catch.hpp>

#include "workers/server/sizing.h"

using server::decide_pool_size;
using server::PoolMode;
using server::SizingDecision;
using server::SizingInput;
using std::chrono::milliseconds;

namespace {

SizingInput dynamic_pool(int starting, int idle, int busy) {
  SizingInput in;
  in.mode = PoolMode::kDynamic;
  in.target = 2;
  in.max_workers = 10;
  in.min_spare = 1;
  in.max_spare = 3;
  in.idle_timeout = milliseconds(10000);
  in.starting = starting;
  in.idle = idle;
  in.busy = busy;
  return in;
}

}  // namespace

TEST_CASE("static mode keeps exactly the target", "[unit][sizing]") {
  SizingInput in;
  in.mode = PoolMode::kStatic;
  in.target = 4;
  in.idle = 2;
  CHECK(decide_pool_size(in) == SizingDecision{2, 0});
  in.idle = 6;
  CHECK(decide_pool_size(in) == SizingDecision{0, 2});
  in.idle = 1;
  in.busy = 1;
  in.starting = 2;
  CHECK(decide_pool_size(in) == SizingDecision{0, 0});
}

TEST_CASE("dynamic mode starts workers up to the floor and the spare minimum", "[unit][sizing]") {
  struct Case {
    int starting, idle, busy, queue;
    SizingDecision want;
  };
  const Case cases[] = {
      {0, 0, 0, 0, {2, 0}},   // empty pool: up to the floor
      {0, 1, 1, 0, {0, 0}},   // at the floor with a spare
      {0, 0, 2, 0, {1, 0}},   // every worker busy: one spare
      {1, 0, 2, 0, {0, 0}},   // a spare is already starting: no second one
      {0, 0, 4, 5, {3, 0}},   // requests queue and nobody idle: up to max_spare at once
      {2, 0, 4, 5, {1, 0}},   // ... counting those already starting
      {0, 0, 10, 9, {0, 0}},  // at max_workers: nothing more
      {0, 0, 9, 9, {1, 0}},   // one below max_workers: one more
  };
  for (const Case& c : cases) {
    SizingInput in = dynamic_pool(c.starting, c.idle, c.busy);
    in.listen_queue = c.queue;
    INFO("starting " << c.starting << " idle " << c.idle << " busy " << c.busy << " queue "
                     << c.queue);
    CHECK(decide_pool_size(in) == c.want);
  }
}

TEST_CASE("dynamic mode retires only long-idle workers above max_spare", "[unit][sizing]") {
  SizingInput in = dynamic_pool(0, 6, 0);
  in.idle_for = {milliseconds(100), milliseconds(200), milliseconds(300),
                 milliseconds(400), milliseconds(500), milliseconds(600)};
  CHECK(decide_pool_size(in) == SizingDecision{0, 0});  // none idle long enough yet
  in.idle_for = {milliseconds(20000), milliseconds(20000), milliseconds(200),
                 milliseconds(300),   milliseconds(400),   milliseconds(500)};
  CHECK(decide_pool_size(in) == SizingDecision{0, 2});
  for (auto& t : in.idle_for) t = milliseconds(60000);
  CHECK(decide_pool_size(in) == SizingDecision{0, 3});  // down to max_spare idle
  in = dynamic_pool(0, 3, 0);
  in.target = 3;
  in.idle_for.assign(3, milliseconds(60000));
  CHECK(decide_pool_size(in) == SizingDecision{0, 0});  // never below the floor
}

TEST_CASE("dynamic sizing does not oscillate as load comes and goes", "[unit][sizing]") {
  // Simulate ticks: a burst makes every worker busy, then it ends. Count how
  // often the decision flips between spawning and retiring.
  SizingInput in = dynamic_pool(0, 2, 0);
  int flips = 0;
  int last = 0;  // +1 spawn, -1 retire
  int idle_ms = 0;
  for (int tick = 0; tick < 400; ++tick) {
    const bool burst = tick >= 50 && tick < 100;
    const int live = in.starting + in.idle + in.busy;
    in.starting = 0;
    in.busy = burst ? std::min(live, 6) : 0;
    in.idle = live - in.busy;
    idle_ms = burst ? 0 : idle_ms + 100;
    in.listen_queue = burst && in.idle == 0 ? 2 : 0;
    in.idle_for.assign(static_cast<size_t>(in.idle), milliseconds(idle_ms));
    const SizingDecision d = decide_pool_size(in);
    const int now = d.spawn > 0 ? 1 : d.retire > 0 ? -1 : 0;
    if (now != 0 && last != 0 && now != last) ++flips;
    if (now != 0) last = now;
    in.starting = d.spawn;
    in.idle -= std::min(in.idle, d.retire);
  }
  CHECK(flips <= 1);  // grow during the burst, shrink once after it
  CHECK(in.starting + in.idle + in.busy >= 2);
  CHECK(in.idle <= 3);
}

TEST_CASE("the pool target comes from the mode unless a runtime count was set", "[unit][sizing]") {
  common::Config config;
  config.pool_mode = common::PoolMode::kStatic;
  config.workers = 4;
  config.min_workers = 2;
  config.max_workers = 8;
  CHECK(server::pool_target(config, 0) == 4);
  CHECK(server::pool_target(config, 6) == 6);
  CHECK(server::pool_target(config, 20) == 8);  // kept within MIN_WORKERS..MAX_WORKERS
  CHECK(server::pool_target(config, 1) == 2);
  CHECK(server::largest_pool(config, 5) == 5);
  config.pool_mode = common::PoolMode::kDynamic;
  CHECK(server::pool_target(config, 0) == 2);
  CHECK(server::largest_pool(config, 5) == 8);
}

TEST_CASE("a pool fits PostgreSQL when workers and replacements have connections",
          "[unit][sizing]") {
  common::Config config;
  config.reload_batch = 2;
  config.db_reserved_connections = 3;
  config.job_runners = 0;
  std::string why;
  CHECK(server::fits_database(config, std::nullopt, 1000, why));  // limit unknown
  const server::DbLimits limits{20, 3};                           // 14 left for the pool
  CHECK(server::fits_database(config, limits, 12, why));
  CHECK_FALSE(server::fits_database(config, limits, 13, why));
  CHECK(why.find("13 workers need up to 15 connections") != std::string::npos);
}

TEST_CASE("job runners count in the pool's connection budget", "[unit][sizing]") {
  common::Config config;
  config.reload_batch = 2;
  config.db_reserved_connections = 3;
  config.job_runners = 2;
  const server::DbLimits limits{20, 3};  // 14 left for the pool
  std::string why;
  CHECK(server::fits_database(config, limits, 10, why));
  CHECK_FALSE(server::fits_database(config, limits, 11, why));
  CHECK(why.find("JOB_RUNNERS=2") != std::string::npos);
}

TEST_CASE("the scoreboard has room for the largest pool and its replacements", "[unit][sizing]") {
  common::Config config;
  config.max_workers = 10;
  config.reload_batch = 2;
  const int capacity = server::scoreboard_capacity(config);
  CHECK(capacity == 30 + 32);  // and a runner plus its replacement for the most JOB_RUNNERS
  CHECK(server::max_workers_within(capacity) >= config.max_workers);
}
