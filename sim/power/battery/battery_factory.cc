// The battery model factory; see battery_factory.h.
#include "sim/power/battery/battery_factory.h"

#include "sim/power/battery/kibam_battery.h"
#include "sim/power/battery/peukert_battery.h"

namespace ej::battery {

std::unique_ptr<power::BatteryModel> createBatteryModel(const core::Config& batteryCfg) {
  const auto params = BatteryPartParams::fromConfig(batteryCfg);
  if (params.model == "kibam") return std::make_unique<KibamBattery>(params);
  if (params.model == "peukert") return std::make_unique<PeukertBattery>(params);
  batteryCfg.fail("model", "the ideal battery is built by ej::power, not ej::battery");
}

}  // namespace ej::battery
