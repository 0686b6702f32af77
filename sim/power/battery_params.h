// The scenario's battery: which model and its parameters.
#pragma once

#include <memory>
#include <string>

#include "sim/core/config.h"
#include "sim/power/battery_model.h"

namespace ej::power {

struct BatteryParams {
  std::string model = "ideal";        // ideal | kibam | peukert
  Charge capacity;                    // rated capacity
  Voltage voltage;                    // nominal voltage (the ideal battery's only one)
  Ratio initialSoc = ratio(1);        // state of charge at the start
  Ratio chargeEfficiency = ratio(1);  // stored / offered charge (coulombic efficiency)

  static BatteryParams fromConfig(const core::Config& cfg);
};

// The model named by the battery's `model:` key, built from its config.
std::unique_ptr<BatteryModel> createBatteryModel(const core::Config& cfg);

}  // namespace ej::power
