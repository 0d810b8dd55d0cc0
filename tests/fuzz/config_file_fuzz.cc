// The CONFIG_FILE reader (common::parse_config_file) over arbitrary text, and
// the values it yields through common::load_config, as a reload applies them.
// Both may refuse only with ConfigError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/config.h"
#include "common/config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  common::ConfigValues values;
  try {
    values = common::parse_config_file(text);
  } catch (const common::ConfigError&) {
    return 0;
  }
  try {
    (void)common::load_config([&values](const char* name) -> const char* {
      const auto it = values.find(name);
      return it == values.end() ? nullptr : it->second.c_str();
    });
  } catch (const common::ConfigError&) {
  }
  return 0;
}
