// libFuzzer target `onnx`: the ONNX importer. The input is a model file's bytes; it is
// imported as the program imports it (nn::importOnnx(path), the code of its ONNX plugin: the
// size limit, protobuf's parse, then every node, attribute and tensor checked), and a model
// that imports is run through the float reference forward pass (what calibration runs first)
// when it is small enough to keep the fuzzer fast. ModelError is the expected refusal; any
// other exception, a crash, a sanitizer report or a hang is a finding.
#include <cstdint>
#include <vector>

#include "sim/nn/graph.h"
#include "sim/nn/onnx_import.h"
#include "tests/fuzz/fuzz_scratch.h"

namespace {

// Models of at most this many multiply-accumulates get the forward pass (LeNet-5 has about
// 0.4 M; the 10^10 the importer allows would be minutes per input).
constexpr std::int64_t kMaxFuzzedMacs = 2'000'000;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto file = ej::fuzz::writeScratch("model.onnx", ej::fuzz::asText(data, size));
  try {
    const ej::nn::Graph g = ej::nn::importOnnx(file);
    std::int64_t macs = 0;
    for (const auto& layer : g.layers) macs += ej::nn::macCount(g, layer);
    if (macs <= kMaxFuzzedMacs) {
      const auto n = static_cast<std::size_t>(g.shapes[static_cast<std::size_t>(g.input)].size());
      (void)ej::nn::runFloat(g, std::vector<float>(n, 0.5f));
    }
  } catch (const ej::nn::ModelError&) {
  }
  return 0;
}
