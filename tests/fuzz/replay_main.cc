// Runs a fuzz target's LLVMFuzzerTestOneInput over every file of the
// directories (or files) named on the command line, as libFuzzer does when
// given a corpus without -runs. Built with the normal compiler (no libFuzzer),
// so that `make test` replays the seeds and every input that once crashed.
// A crash, a sanitizer report or an uncaught exception fails the process; an
// empty or missing corpus fails too (a renamed directory must not pass quietly).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::filesystem::path> inputs_of(const std::filesystem::path& arg) {
  std::vector<std::filesystem::path> out;
  if (std::filesystem::is_regular_file(arg)) {
    out.push_back(arg);
  } else if (std::filesystem::is_directory(arg)) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
      if (entry.is_regular_file()) out.push_back(entry.path());
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  // libFuzzer always tries the empty input first.
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(""), 0);
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    for (const auto& path : inputs_of(argv[i])) {
      std::ifstream in(path, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      std::cerr << "replaying " << path.string() << " (" << bytes.size() << " bytes)\n";
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++replayed;
    }
  }
  std::cout << "replayed " << replayed << " inputs\n";
  return replayed > 0 ? 0 : 1;
}
