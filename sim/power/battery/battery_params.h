// The battery's spec: a part file in hw/battery/ plus the scenario's overrides, or the
// scenario's own keys, parsed once for every model (ideal, KiBaM, Peukert);
// power::createBatteryModel (sim/power/battery_factory.h) builds the model it names.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/units.h"
#include "sim/power/battery_model.h"

namespace ej::battery {

// Open-circuit voltage of one cell against state of charge, interpolated linearly.
class OcvCurve {
 public:
  OcvCurve() = default;
  // POINTS: (state of charge 0..1, volts), any order; at least two.
  explicit OcvCurve(std::vector<std::pair<double, Voltage>> points);
  Voltage at(Ratio soc) const;
  // The lowest state of charge at which the (non-decreasing) curve reaches V: 0 when V is at
  // or below its first point, none when V is above its last.
  std::optional<double> socAt(Voltage v) const;
  bool empty() const { return m_points.empty(); }
  bool nonDecreasing() const;

 private:
  std::vector<std::pair<double, Voltage>> m_points;  // by state of charge
};

struct BatteryParams {
  enum class Model { Ideal, Kibam, Peukert };
  Model model = Model::Ideal;     // `model: ideal | kibam | peukert` (default ideal)
  std::string chemistry;          // documentation: li_ion, lipo, alkaline, li_socl2, lifepo4
  Charge capacity;                // rated capacity of one cell (at the rated discharge time)
  Voltage voltage;                // nominal voltage of the pack (series cells)
  long series = 1;                // cells in series (voltages and resistance add up)
  Voltage cutoffVoltage;          // pack terminal voltage at which the load browns out
  Resistance internalResistance;  // per cell, DC
  Ratio selfDischargePerMonth = ratio(0);  // fraction of capacity lost per 30 days at rest
  Ratio chargeEfficiency = ratio(1);       // stored / offered charge; 0 for primary cells
  Ratio initialSoc = ratio(1);             // state of charge at the start
  OcvCurve ocv;                            // open-circuit voltage of one cell against SoC
  // KiBaM (Manwell & McGowan 1993): fraction of the charge in the available well, and the
  // rate constant k of their closed form (eq. 6), in 1/s.
  Ratio kibamC = ratio(1);
  Frequency kibamK = hertz(0);
  // Peukert (1897): exponent n and the discharge time H at which `capacity` is rated.
  double peukertExponent = 1.0;
  Time peukertRatedTime = hours(20);
  // Capacity against cell temperature (the datasheet's curve, a ratio of the rated
  // capacity, linear between points, flat beyond the ends); `temperature` (constant, set
  // in the scenario) derates `capacity` by it. CAPACITY above is already derated.
  std::vector<std::pair<Temperature, double>> capacityVsTemperature;
  std::optional<Temperature> temperature;
  Ratio capacityDerating = ratio(1);
  // `temperature: weather`: the capacity follows the cell temperature over the run (the
  // solar harvester's air temperature), by this curve of the rated capacity. CAPACITY above
  // (and CAPACITY_DERATING) is then the curve's largest: what a full cell holds.
  std::optional<power::CapacityVsTemperature> followedTemperature;
  // `charge_temperature: {min, max}`: the datasheet's charge temperature range (none: any).
  std::optional<std::pair<Temperature, Temperature>> chargeTemperature;

  // Reads every key a part may carry, whichever model is chosen (so that a part serves
  // both models and misspelt keys are caught): model, chemistry, capacity, voltage, series,
  // cutoff_voltage, internal_resistance, self_discharge_per_month, charge_efficiency,
  // initial_soc, ocv (list of {soc, voltage}), kibam_c, kibam_k, peukert_exponent,
  // peukert_rated_time, capacity_vs_temperature (list of {temperature, capacity: ratio}),
  // temperature (a temperature, or `weather`).
  static BatteryParams fromConfig(const core::Config& cfg);

  // The `model` key as written: ideal, kibam or peukert.
  std::string modelName() const;
  // Self-discharge as a constant leakage current (fraction of capacity per 30 days).
  Current selfDischargeCurrent() const;
  // The capacity_vs_temperature ratio at T (1 without a curve).
  double capacityRatioAt(Temperature t) const;
};

}  // namespace ej::battery
