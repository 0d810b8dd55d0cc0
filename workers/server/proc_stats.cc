#include "workers/server/proc_stats.h"

#include <unistd.h>

#include <cstdio>

namespace server {

int64_t resident_bytes() {
  // "size resident shared ..." in pages.
  FILE* f = std::fopen("/proc/self/statm", "re");
  if (f == nullptr) return 0;
  long size = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE) : 0;
}

}  // namespace server
