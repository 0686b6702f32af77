// YAML texts that tests of several readers share.
#pragma once

#include <string>

namespace ej::test {

// LEVELS levels of lists of ten aliases each over a first list holding BOTTOM: 10^LEVELS paths
// from the top to BOTTOM in about 100 * LEVELS bytes (tests/fuzz/README.md, finding 8). A
// reader that walks each mapping or list once meets BOTTOM once.
inline std::string aliasesOfAliases(const std::string& bottom, int levels) {
  std::string text = "l0: &l0 [" + bottom + "]\n";
  for (int i = 1; i <= levels; ++i) {
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", *l" : "*l") + std::to_string(i - 1);
    text += "]\n";
  }
  return text;
}

}  // namespace ej::test
