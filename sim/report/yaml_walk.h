// Walking a yaml-cpp tree that may hold aliases. An alias is its anchored node itself, so
// aliases of aliases reach one node by exponentially many paths: nine levels of ten in a
// 560-byte file are 10^9 paths (tests/fuzz/README.md, finding 8). The loader walks each
// mapping or list once; so do the report's and the Monte Carlo's walks, with FirstVisit.
#pragma once

#include <yaml-cpp/yaml.h>

#include <unordered_set>

namespace ej::report {

// Whether a mapping or list of one document is met for the first time, told by its place in
// the text (an alias has its anchor's). Scalars are always new: they lead nowhere.
class FirstVisit {
 public:
  bool operator()(const YAML::Node& node) {
    if (!node.IsMap() && !node.IsSequence()) return true;
    const int pos = node.Mark().pos;
    return pos < 0 || m_seen.insert(pos).second;
  }

 private:
  std::unordered_set<int> m_seen;
};

}  // namespace ej::report
