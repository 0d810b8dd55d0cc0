// README's settings tables are the ones `ecommerce-server config --markdown`
// prints from the settings table; this fails as soon as the two differ.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "common/settings.h"

namespace {

std::string read_readme() {
  std::ifstream in(std::string(ECOMMERCE_SOURCE_DIR) + "/README.md");
  REQUIRE(in);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The lines between README's marker comments of `section`, each ending in '\n'.
std::string readme_table(const std::string& readme, const std::string& section) {
  const std::string begin = "<!-- settings:" + section + ":begin -->\n";
  const std::string end = "<!-- settings:" + section + ":end -->";
  const size_t from = readme.find(begin);
  const size_t to = readme.find(end);
  INFO("README.md needs " << begin << "..." << end);
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  REQUIRE(from + begin.size() <= to);
  return readme.substr(from + begin.size(), to - from - begin.size());
}

}  // namespace

TEST_CASE("README's settings tables match the settings table", "[unit][config][readme]") {
  using common::settings::Section;
  const std::string readme = read_readme();
  for (const Section section : common::settings::kSections) {
    const std::string name = common::settings::section_name(section);
    INFO("section " << name << ": regenerate with `ecommerce-server config --markdown`");
    CHECK(readme_table(readme, name) == common::settings::markdown(section));
  }
}

TEST_CASE("the markdown lists every setting once, in its section", "[unit][config][readme]") {
  const std::string all = common::settings::markdown_all();
  for (const auto& s : common::settings::all()) {
    INFO(s.name);
    const std::string cell = "| `" + std::string(s.name) + "` |";
    const size_t at = all.find(cell);
    REQUIRE(at != std::string::npos);
    CHECK(all.find(cell, at + 1) == std::string::npos);
    const std::string section = common::settings::section_name(s.section);
    CHECK(at > all.find("<!-- settings:" + section + ":begin -->"));
    CHECK(at < all.find("<!-- settings:" + section + ":end -->"));
  }
}
