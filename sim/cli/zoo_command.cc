// `edgejoule zoo` (hidden): writes the structure of an MLPerf Tiny reference network as ONNX
// with deterministic untrained int8 weights (sim/zoo). models/regenerate-mlperf-tiny.sh runs it.
// Part of edgejoule-models (model_commands.h).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "sim/cli/command.h"
#include "sim/cli/model_commands.h"
#include "sim/zoo/mlperf_tiny.h"
#include "sim/zoo/onnx_builder.h"

namespace ej::cli {
namespace {

struct ZooOptions {
  std::string network, out;
  std::uint64_t seed = 1;
};

const CommandRegistrar registrar(kZooCommand, [](CLI::App* cmd, int& status) {
  auto opts = std::make_shared<ZooOptions>();
  cmd->add_option("--network", opts->network,
                  "ds-cnn-kws, mobilenet-v1-025-vww, resnet8-cifar10 or fc-autoencoder-toyadmos")
      ->required();
  cmd->add_option("--seed", opts->seed, "SplitMix64 seed of the int8 weights (default 1)");
  cmd->add_option("--out", opts->out, "the .onnx file to write (must not exist)")->required();
  cmd->callback([opts, &status] {
    if (std::filesystem::exists(opts->out))
      throw UsageError(fmt::format("--out: {} exists; it is not overwritten", opts->out));
    onnx::ModelProto model;
    try {
      model = zoo::buildMlperfTiny(opts->network, opts->seed);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--network: ") + e.what());
    }
    zoo::writeModel(model, opts->out);
    std::cout << fmt::format("{}: {} ({} bytes)\n", opts->out, opts->network,
                             std::filesystem::file_size(opts->out));
    status = 0;
  });
});

}  // namespace
}  // namespace ej::cli
