// The pool-wide hashing slots (common/bcrypt_gate.h): a cap shared across
// fork(), given back by the Permit's end or by its holder's death.
#include "common/bcrypt_gate.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>

namespace gate = common::bcrypt_gate;
using std::chrono::milliseconds;

TEST_CASE("hashing slots: the cap holds, a released or orphaned slot is taken again",
          "[unit][bcrypt_gate]") {
  gate::create_shared(2);
  std::optional<gate::Permit> a = gate::acquire(milliseconds(0));
  std::optional<gate::Permit> b = gate::acquire(milliseconds(0));
  REQUIRE(a);
  REQUIRE(b);
  CHECK(gate::in_use() == 2);
  const auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(gate::acquire(milliseconds(30)));
  CHECK(std::chrono::steady_clock::now() - started >= milliseconds(30));

  b.reset();
  CHECK(gate::in_use() == 1);
  // A child takes the free slot and dies holding it (as a SIGKILLed worker would).
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto held = gate::acquire(milliseconds(0));
    ::_exit(held ? 0 : 1);  // exits without the Permit's destructor
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  CHECK(gate::in_use() == 2);  // the dead child's pid still sits in its slot
  std::optional<gate::Permit> c = gate::acquire(milliseconds(0));
  CHECK(c);  // ... and is taken back
  CHECK_FALSE(gate::acquire(milliseconds(0)));
}
