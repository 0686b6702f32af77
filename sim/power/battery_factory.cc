// The battery factory; see battery_factory.h.
#include "sim/power/battery_factory.h"

#include "sim/power/battery/kibam_battery.h"
#include "sim/power/battery/peukert_battery.h"
#include "sim/power/ideal_battery.h"

namespace ej::power {

std::unique_ptr<BatteryModel> createBatteryModel(const battery::BatteryParams& spec) {
  std::unique_ptr<BatteryModel> model;
  switch (spec.model) {
    case battery::BatteryParams::Model::Ideal:
      // The ideal battery uses the capacity (derated to `temperature`, if given), nominal
      // voltage, initial state and charge efficiency; the other figures are read, not used.
      model = std::make_unique<IdealBattery>(spec.capacity, spec.voltage, spec.initialSoc,
                                             spec.chargeEfficiency);
      break;
    case battery::BatteryParams::Model::Kibam:
      model = std::make_unique<battery::KibamBattery>(spec);
      break;
    case battery::BatteryParams::Model::Peukert:
      model = std::make_unique<battery::PeukertBattery>(spec);
      break;
  }
  if (spec.followedTemperature) model->followTemperature(*spec.followedTemperature);
  if (const auto& r = spec.chargeTemperature) model->setChargeTemperatureRange(r->first, r->second);
  return model;
}

std::unique_ptr<BatteryModel> createBatteryModel(const core::Config& cfg) {
  return createBatteryModel(battery::BatteryParams::fromConfig(cfg));
}

}  // namespace ej::power
