// Placement of the int8 activations in SRAM: each tensor lives from the layer that writes it
// to the last layer that reads it, placed first-fit (TFLite-micro's greedy planner idea).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/nn/quantize.h"

namespace ej::nn {

struct MemoryPlan {
  std::vector<std::int64_t> offset;  // per value id; -1 for values never stored (aliases)
  std::int64_t peakBytes = 0;        // the arena's size: peak SRAM for activations
};

MemoryPlan planActivations(const QuantModel& model);

}  // namespace ej::nn
