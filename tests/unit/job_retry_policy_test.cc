// The job runner's pure rules: when a failure buries a job, the backoff's
// bounds, and how a last_error is stored.
#include <catch2/catch.hpp>

#include "workers/jobs/retry_policy.h"
#include "workers/jobs/runner.h"

using std::chrono::milliseconds;

TEST_CASE("a failure is retried until the last allowed attempt, and JobFailed is dead at once",
          "[unit][jobs]") {
  struct Case {
    int attempts, max_attempts;
    bool permanent;
    jobs::AfterFailure expected;
  };
  const Case cases[] = {
      {1, 8, false, jobs::AfterFailure::kRetry}, {7, 8, false, jobs::AfterFailure::kRetry},
      {8, 8, false, jobs::AfterFailure::kDead},  {9, 8, false, jobs::AfterFailure::kDead},
      {1, 1, false, jobs::AfterFailure::kDead},  {1, 8, true, jobs::AfterFailure::kDead}};
  for (const Case& c : cases) {
    INFO(c.attempts << "/" << c.max_attempts << " permanent " << c.permanent);
    CHECK(jobs::after_failure(c.attempts, c.max_attempts, c.permanent) == c.expected);
  }
}

TEST_CASE("the backoff doubles per attempt, lies in [d/2, d] and never passes the cap",
          "[unit][jobs]") {
  const milliseconds base(2000), cap(60000);
  CHECK(jobs::retry_delay(1, base, cap, 0.0) == milliseconds(1000));
  CHECK(jobs::retry_delay(1, base, cap, 0.999999) >= milliseconds(1999));
  CHECK(jobs::retry_delay(2, base, cap, 0.0) == milliseconds(2000));
  CHECK(jobs::retry_delay(3, base, cap, 0.0) == milliseconds(4000));
  CHECK(jobs::retry_delay(3, base, cap, 1.0) == milliseconds(8000));
  CHECK(jobs::retry_delay(10, base, cap, 0.0) == milliseconds(30000));
  CHECK(jobs::retry_delay(10, base, cap, 1.0) == milliseconds(60000));
  CHECK(jobs::retry_delay(1000, base, cap, 1.0) == milliseconds(60000));  // no overflow
  for (int attempt = 1; attempt <= 20; ++attempt) {
    for (const double u : {0.0, 0.3, 0.7, 0.99}) {
      const milliseconds d = jobs::retry_delay(attempt, base, cap, u);
      CHECK(d <= cap);
      CHECK(d >= milliseconds(500));
    }
  }
}

TEST_CASE("a last_error is bounded and valid UTF-8", "[unit][jobs]") {
  CHECK(jobs::bounded_error("smtp down") == "smtp down");
  CHECK(jobs::bounded_error("") == "(no message)");
  CHECK(jobs::bounded_error("caf\xc3\xa9") == "caf\xc3\xa9");
  CHECK(jobs::bounded_error("bad \xff byte") == "bad ? byte");
  CHECK(jobs::bounded_error(std::string("nul\0x", 5)) == "nul?x");
  const std::string long_text(5000, 'x');
  CHECK(jobs::bounded_error(long_text).size() == 2000);
  // Cut on a character boundary: 1999 ASCII bytes then a 2-byte character.
  const std::string boundary = std::string(1999, 'a') + "\xc3\xa9";
  CHECK(jobs::bounded_error(boundary) == std::string(1999, 'a'));
}
