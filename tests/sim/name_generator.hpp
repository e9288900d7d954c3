// NameGenerator: display names for simulated users, mostly unique: Latin
// pseudo-names built from syllables, and Japanese (kanji), Cyrillic and Greek
// names from small lists, so name search is exercised across scripts. Also the
// query a person would type to find a given name. Simulation thread only.
#pragma once

#include <string>

#include "net/random.hpp"

namespace koe::sim {

class NameGenerator {
 public:
  explicit NameGenerator(uint64_t seed) : random_(seed) {}

  std::string next();
  // A search query for `name`: usually the whole name, sometimes a prefix of its
  // first word with the whole second word (as people type).
  std::string query_for(const std::string& name);

 private:
  SeededRandom random_;
};

}  // namespace koe::sim
