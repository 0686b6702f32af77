// Battery parameters and the choice of model.
#include "sim/power/battery_params.h"

#include "sim/power/ideal_battery.h"
#ifdef EJ_HAVE_BATTERY_MODELS
#include "sim/power/battery/battery_factory.h"
#include "sim/power/battery/battery_params.h"
#endif

namespace ej::power {

BatteryParams BatteryParams::fromConfig(const core::Config& cfg) {
  BatteryParams p;
  p.model = cfg.choice("model", {"ideal", "kibam", "peukert"}, "ideal");
  p.capacity = cfg.quantity<Charge>("capacity", core::Range::Positive);
  p.voltage = cfg.quantity<Voltage>("voltage", core::Range::Positive);
  p.initialSoc = ratio(cfg.number("initial_soc", 1.0, core::Range::Fraction));
  p.chargeEfficiency = ratio(cfg.number("charge_efficiency", 1.0, core::Range::Fraction));
  return p;
}

std::unique_ptr<BatteryModel> createBatteryModel(const core::Config& cfg) {
  const std::string model = cfg.choice("model", {"ideal", "kibam", "peukert"}, "ideal");
  if (model == "ideal") {
    // An ideal battery made from a real part uses its capacity, voltage, initial state and
    // charge efficiency (the capacity derated to the part's `temperature`, if given); its
    // other figures (OCV, resistance, KiBaM...) are read, not used.
    // With `temperature: weather` it is built full at the curve's largest capacity and
    // then follows the cell temperature.
    Ratio derating = ratio(1);
    std::optional<CapacityVsTemperature> followed;
    std::optional<std::pair<Temperature, Temperature>> chargeRange;
#ifdef EJ_HAVE_BATTERY_MODELS
    if (cfg.has("part")) {
      const auto part = battery::BatteryPartParams::fromConfig(cfg);
      derating = part.capacityDerating;
      followed = part.followedTemperature;
      chargeRange = part.chargeTemperature;
    }
#endif
    const auto p = BatteryParams::fromConfig(cfg);
    auto ideal = std::make_unique<IdealBattery>(p.capacity * derating, p.voltage, p.initialSoc,
                                                p.chargeEfficiency);
    if (followed) ideal->followTemperature(*followed);
    if (chargeRange) ideal->setChargeTemperatureRange(chargeRange->first, chargeRange->second);
    return ideal;
  }
#ifdef EJ_HAVE_BATTERY_MODELS
  return battery::createBatteryModel(cfg);
#else
  cfg.fail("model", "this build has only the ideal battery");
#endif
}

}  // namespace ej::power
