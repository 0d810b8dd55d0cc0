#include "common/bcrypt_gate.h"

#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>

namespace common::bcrypt_gate {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(2);

struct Region {
  int limit = 1;
  std::atomic<pid_t> holders[kMaxSlots];  // 0: free
};

Region* g_region = nullptr;  // set before fork, then only read

bool holder_is_dead(pid_t pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

// A free slot, or one whose holder died, taken for this process; -1 when none.
int try_take(pid_t self) {
  for (int i = 0; i < g_region->limit; ++i) {
    pid_t holder = g_region->holders[i].load(std::memory_order_acquire);
    if (holder == 0 || holder_is_dead(holder)) {
      if (g_region->holders[i].compare_exchange_strong(holder, self, std::memory_order_acq_rel)) {
        return i;
      }
    }
  }
  return -1;
}

}  // namespace

void create_shared(int limit) {
  void* memory =
      ::mmap(nullptr, sizeof(Region), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    throw std::runtime_error(std::string("mmap of the bcrypt slots failed: ") +
                             std::strerror(errno));
  }
  auto* region = new (memory) Region();
  region->limit = std::clamp(limit, 1, kMaxSlots);
  for (auto& holder : region->holders) holder.store(0);
  g_region = region;
}

Permit::Permit(Permit&& other) noexcept : slot_(other.slot_) { other.slot_ = -1; }

Permit::~Permit() {
  if (slot_ >= 0 && g_region != nullptr) {
    g_region->holders[slot_].store(0, std::memory_order_release);
  }
}

std::optional<Permit> acquire(std::chrono::milliseconds wait) {
  if (g_region == nullptr) return Permit(-1);
  const pid_t self = ::getpid();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const int slot = try_take(self);
    if (slot >= 0) return Permit(slot);
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

int in_use() {
  if (g_region == nullptr) return 0;
  int n = 0;
  for (int i = 0; i < g_region->limit; ++i) {
    if (g_region->holders[i].load(std::memory_order_relaxed) != 0) ++n;
  }
  return n;
}

}  // namespace common::bcrypt_gate
