// Builds the KiBaM or Peukert battery named by a battery config's `model:` key.
#pragma once

#include <memory>

#include "sim/core/config.h"
#include "sim/power/battery_model.h"

namespace ej::battery {

// `model: kibam` or `model: peukert`, with the keys of BatteryPartParams (usually from a
// hw/battery/ part file). Throws core::ConfigError located at the offending key.
std::unique_ptr<power::BatteryModel> createBatteryModel(const core::Config& batteryCfg);

}  // namespace ej::battery
