// Helpers for tests that race requests against each other: run a
// function on N threads released at the same moment, and record what each
// call ended with instead of asserting inside the threads (Catch2 assertions
// are not thread-safe: check the outcomes on the test's thread afterwards).
#pragma once

#include <json/value.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/pg.h"

namespace test_support {

// How one call ended: normally, with an AppError (its code), or with any other
// exception (a pg::DbError or a bug: what the API would answer with a 5xx).
struct Outcome {
  bool ok = false;
  std::optional<common::ErrorCode> code;  // set for an AppError
  std::string error;                      // what() of the exception, if any
  Json::Value details;                    // the AppError's details
  // True for an AppError answered with a status below 500.
  bool client_error() const;
};

// Calls fn() and reports how it ended. Never throws.
Outcome outcome_of(const std::function<void()>& fn);

// Runs fn(i) for i in 0..n-1, each on its own thread, all released together;
// returns their outcomes in index order once every thread has ended.
std::vector<Outcome> run_concurrently(int n, const std::function<void(int)>& fn);

// n connections to the migrated test database (see db.h), one per thread:
// a pg::Connection must never be used by two threads at once.
std::vector<std::unique_ptr<common::pg::Connection>> thread_connections(int n);

}  // namespace test_support
