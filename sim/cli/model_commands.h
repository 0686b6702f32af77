// The commands that make models, `train`, `prune` and `zoo`, are a program of their own,
// edgejoule-models: the only one of the three programs linked with protobuf, Debian's ONNX and
// the trainer, whose loading and relocation cost about 2 ms of every start (tests/bench/
// README.md, twelfth pass). edgejoule-commands lists them in its help and hands their command
// lines over (model_commands.cc); edgejoule-models registers them for real
// (train_command.cc, zoo_command.cc) with the same names and descriptions.
#pragma once

#include "sim/cli/command.h"

namespace ej::cli {

inline constexpr CommandInfo kTrainCommand{
    "train", "Train a dense LeNet-5, DS-CNN or ResNet on the MNIST split, export ONNX", false};
inline constexpr CommandInfo kPruneCommand{
    "prune", "Prune LeNet-5 to a parameter target, export ONNX", false};
inline constexpr CommandInfo kZooCommand{"zoo", "Write an MLPerf Tiny reference structure as ONNX",
                                         true};

inline constexpr const char* kModelsProgramName = "edgejoule-models";

}  // namespace ej::cli
