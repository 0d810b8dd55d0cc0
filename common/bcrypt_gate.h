// A pool-wide cap on password hashing (BCRYPT_MAX_CONCURRENT): bcrypt keeps
// a core busy for as long as a hash takes, and a single-threaded worker that
// hashes serves nothing else meanwhile. When every worker hashes at once
// (a flood of logins) catalogue reads queue behind them; holding the number of
// workers hashing at once below the pool size keeps the others serving.
//
// The slots live in ONE shared-memory region (MAP_SHARED | MAP_ANONYMOUS)
// made by the master before it forks the workers, inherited by each. A slot
// holds the pid of the process hashing in it; a holder that died while
// hashing (SIGKILL) is noticed by the next process that wants its slot
// (kill(pid, 0) says ESRCH), so a slot is never lost. In a process where
// create_shared() never ran (the command line, the tests), acquire() always
// succeeds at once: there is no cap.
#pragma once

#include <chrono>
#include <optional>

namespace common::bcrypt_gate {

inline constexpr int kMaxSlots = 256;

// Makes the region with `limit` slots (clamped to 1..kMaxSlots). Called once,
// before fork(), by the process that forks the workers. Throws
// std::runtime_error when mmap fails.
void create_shared(int limit);

// A held slot, given back when the Permit ends (or when its process dies).
class Permit {
 public:
  Permit(Permit&& other) noexcept;
  Permit& operator=(Permit&&) = delete;
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;
  ~Permit();

 private:
  friend std::optional<Permit> acquire(std::chrono::milliseconds wait);
  explicit Permit(int slot) : slot_(slot) {}
  int slot_;  // -1: nothing held (no cap, or moved from)
};

// A slot, waiting up to `wait` for one (polling every few milliseconds), or
// nullopt when none freed in time.
[[nodiscard]] std::optional<Permit> acquire(std::chrono::milliseconds wait);

// Slots in use now (0 without a region): for tests and diagnostics.
int in_use();

}  // namespace common::bcrypt_gate
