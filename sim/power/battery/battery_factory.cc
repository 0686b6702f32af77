// The battery model factory; see battery_factory.h.
#include "sim/power/battery/battery_factory.h"

#include "sim/power/battery/kibam_battery.h"
#include "sim/power/battery/peukert_battery.h"

namespace ej::battery {

std::unique_ptr<power::BatteryModel> createBatteryModel(const core::Config& batteryCfg) {
  const auto params = BatteryPartParams::fromConfig(batteryCfg);
  std::unique_ptr<power::BatteryModel> model;
  if (params.model == "kibam") model = std::make_unique<KibamBattery>(params);
  if (params.model == "peukert") model = std::make_unique<PeukertBattery>(params);
  if (!model) batteryCfg.fail("model", "the ideal battery is built by ej::power, not ej::battery");
  if (params.followedTemperature) model->followTemperature(*params.followedTemperature);
  if (const auto& r = params.chargeTemperature)
    model->setChargeTemperatureRange(r->first, r->second);
  return model;
}

}  // namespace ej::battery
