// The one battery factory: the battery's spec (battery::BatteryParams, parsed once from
// node.battery and its part file; `model: ideal | kibam | peukert`) builds its model.
#pragma once

#include <memory>

#include "sim/core/config.h"
#include "sim/power/battery/battery_params.h"
#include "sim/power/battery_model.h"

namespace ej::power {

// The model SPEC names, built from it (following the temperature if the spec says so).
std::unique_ptr<BatteryModel> createBatteryModel(const battery::BatteryParams& spec);
// The same, parsing the spec from CFG first. Throws core::ConfigError at the offending key.
std::unique_ptr<BatteryModel> createBatteryModel(const core::Config& cfg);

}  // namespace ej::power
