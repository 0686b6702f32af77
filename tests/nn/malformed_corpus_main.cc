// nn_malformed_corpus: runs the malformed-model corpus and prints its tally, for runs under
// AddressSanitizer (build/asan) outside ctest. Exit 0 only with no silent acceptance, no
// unnamed refusal and no valid model refused. `nn_malformed_corpus --write DIR` writes every
// case to DIR/NNNN.onnx instead, with DIR/index.txt naming each (to try them on a program).
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "tests/nn/malformed_corpus.h"

int main(int argc, char* argv[]) {
  const auto corpus = ej::nn::testing::malformedCorpus();
  if (argc == 3 && std::strcmp(argv[1], "--write") == 0) {
    const std::filesystem::path dir = argv[2];
    std::filesystem::create_directories(dir);
    std::ofstream index(dir / "index.txt");
    for (std::size_t i = 0; i < corpus.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "%04zu.onnx", i);
      std::ofstream out(dir / name, std::ios::binary);
      corpus[i].model.SerializeToOstream(&out);
      index << name << '\t' << (corpus[i].valid ? "valid" : "malformed") << '\t' << corpus[i].label
            << '\n';
    }
    std::printf("%zu models written to %s\n", corpus.size(), dir.c_str());
    return 0;
  }
  const auto r = ej::nn::testing::runCorpus(corpus);
  for (const auto& f : r.failures) std::printf("%s\n", f.c_str());
  std::printf(
      "models %d: refused naming the culprit %d, valid accepted %d, silent acceptances %d, "
      "refusals not naming the culprit %d, valid refused %d, crashes 0 (this line was reached)\n",
      r.models, r.refused, r.validAccepted, r.silentAcceptances, r.refusedUnnamed, r.validRefused);
  return r.silentAcceptances || r.refusedUnnamed || r.validRefused ? 1 : 0;
}
