// Battery part parameters from YAML; see battery_params.h and README.md.
#include "sim/power/battery/battery_params.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/core/bounds.h"

namespace ej::battery {

OcvCurve::OcvCurve(std::vector<std::pair<double, Voltage>> points) : m_points(std::move(points)) {
  std::sort(m_points.begin(), m_points.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
}

Voltage OcvCurve::at(Ratio soc) const {
  if (m_points.empty()) return volts(0);
  const double s = soc.value();
  if (s <= m_points.front().first) return m_points.front().second;
  if (s >= m_points.back().first) return m_points.back().second;
  auto hi = std::lower_bound(m_points.begin(), m_points.end(), s,
                             [](const auto& p, double x) { return p.first < x; });
  const auto lo = hi - 1;
  const double w = (s - lo->first) / (hi->first - lo->first);
  return lo->second + w * (hi->second - lo->second);
}

std::optional<double> OcvCurve::socAt(Voltage v) const {
  if (m_points.empty() || v > m_points.back().second) return std::nullopt;
  if (v <= m_points.front().second) return 0.0;
  for (std::size_t j = 1; j < m_points.size(); ++j) {
    const auto& lo = m_points[j - 1];
    const auto& hi = m_points[j];
    if (hi.second < v) continue;
    // lo.second < v <= hi.second: linear between the two points.
    const double w = ((v - lo.second) / (hi.second - lo.second)).value();
    return lo.first + w * (hi.first - lo.first);
  }
  return m_points.back().first;
}

bool OcvCurve::nonDecreasing() const {
  for (std::size_t j = 1; j < m_points.size(); ++j) {
    if (m_points[j].second < m_points[j - 1].second) return false;
  }
  return true;
}

BatteryParams BatteryParams::fromConfig(const core::Config& cfg) {
  using core::Range;
  BatteryParams p;
  const std::string model = cfg.choice("model", {"ideal", "kibam", "peukert"}, "ideal");
  p.model = model == "kibam" ? Model::Kibam : model == "peukert" ? Model::Peukert : Model::Ideal;
  p.chemistry = cfg.text("chemistry", "unspecified");
  p.capacity = cfg.quantity<Charge>("capacity", Range::Positive);
  p.voltage = cfg.quantity<Voltage>("voltage", Range::Positive);
  p.series = cfg.integer("series", 1, 1, 1000);
  p.cutoffVoltage = cfg.quantity<Voltage>("cutoff_voltage", volts(0), Range::NonNegative);
  p.internalResistance =
      cfg.quantity<Resistance>("internal_resistance", Resistance(), Range::NonNegative);
  p.selfDischargePerMonth = ratio(cfg.number("self_discharge_per_month", 0.0, Range::Fraction));
  p.chargeEfficiency = ratio(cfg.number("charge_efficiency", 1.0, Range::Fraction));
  p.initialSoc = ratio(cfg.number("initial_soc", 1.0, Range::Fraction));
  std::vector<std::pair<double, Voltage>> points;
  for (const auto& item : cfg.items("ocv")) {
    const double soc = item.number("soc", Range::Fraction);
    points.emplace_back(soc, item.quantity<Voltage>("voltage", Range::Positive));
  }
  if (points.size() == 1) cfg.fail("ocv", "needs at least two points");
  p.ocv = OcvCurve(std::move(points));
  if (!p.ocv.nonDecreasing()) cfg.fail("ocv", "the voltage must not fall as soc rises");
  p.kibamC = ratio(cfg.number("kibam_c", 1.0, Range::Fraction));
  p.kibamK = cfg.quantity<Frequency>("kibam_k", hertz(0), Range::NonNegative);
  p.peukertExponent = cfg.number("peukert_exponent", 1.0, Range::Positive);
  p.peukertRatedTime = cfg.quantity<Time>("peukert_rated_time", hours(20), Range::Positive);
  if (p.model == Model::Kibam) {
    if (!cfg.has("kibam_c") || !cfg.has("kibam_k")) {
      cfg.fail("model", "kibam needs kibam_c (0..1) and kibam_k (a rate, e.g. 4.5e-5 /s)");
    }
    if (p.kibamC.value() <= 0 || p.kibamC.value() >= 1) {
      cfg.fail("kibam_c", "must lie strictly between 0 and 1");
    }
    // Floor: a time constant 1/k within the longest horizon (sim/core/bounds.h); a slower
    // exchange between the wells is no KiBaM, and its closed form loses all precision.
    if (p.kibamK.value() < 1.0 / core::kMaxHorizonSeconds)
      cfg.fail("kibam_k", "must be at least 6.3e-11 /s (1 / 500 years, the longest horizon)");
  }
  for (const auto& item : cfg.items("capacity_vs_temperature")) {
    const auto t = item.quantity<Temperature>("temperature", Range::Positive);
    p.capacityVsTemperature.emplace_back(t, item.number("capacity", Range::Positive));
  }
  std::sort(p.capacityVsTemperature.begin(), p.capacityVsTemperature.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  if (cfg.has("temperature") && cfg.text("temperature") == "weather") {
    if (p.capacityVsTemperature.empty()) {
      cfg.fail("temperature",
               "the part gives no capacity_vs_temperature curve to follow the weather's "
               "temperature with");
    }
    p.followedTemperature = power::CapacityVsTemperature{p.capacity, p.capacityVsTemperature};
    p.capacityDerating = ratio(p.followedTemperature->largest() / p.capacity);
    p.capacity = p.followedTemperature->largest();
  } else if (cfg.has("temperature")) {
    p.temperature = cfg.quantity<Temperature>("temperature", Range::Positive);
    if (p.capacityVsTemperature.empty()) {
      cfg.fail("temperature", "the part gives no capacity_vs_temperature curve to derate by");
    }
    p.capacityDerating = ratio(p.capacityRatioAt(*p.temperature));
    p.capacity = p.capacity * p.capacityDerating;
  }
  if (auto range = cfg.optionalChild("charge_temperature")) {
    const auto lo = range->quantity<Temperature>("min", Range::Positive);
    const auto hi = range->quantity<Temperature>("max", Range::Positive);
    if (hi <= lo) range->fail("max", "must be above min");
    p.chargeTemperature = std::make_pair(lo, hi);
  }
  if (p.model == Model::Peukert && p.peukertExponent < 1.0) {
    cfg.fail("peukert_exponent", "must be at least 1");
  }
  // The cutoff must lie below the pack's full open-circuit voltage (its OCV curve's top,
  // else the nominal voltage): a 2 x AA pack (3.2 V full, 3.0 V nominal) may be cut at 3.0 V.
  const Voltage full = p.ocv.empty() ? p.voltage : double(p.series) * p.ocv.at(ratio(1));
  if (p.cutoffVoltage >= full) {
    cfg.fail(
        "cutoff_voltage",
        fmt::format("must be below the pack's full open-circuit voltage, {:.3g} V", in_V(full)));
  }
  return p;
}

std::string BatteryParams::modelName() const {
  switch (model) {
    case Model::Kibam:
      return "kibam";
    case Model::Peukert:
      return "peukert";
    case Model::Ideal:
      break;
  }
  return "ideal";
}

double BatteryParams::capacityRatioAt(Temperature t) const {
  return power::CapacityVsTemperature{capacity, capacityVsTemperature}.ratioAt(t);
}

Current BatteryParams::selfDischargeCurrent() const {
  return selfDischargePerMonth * capacity / days(30);
}

}  // namespace ej::battery
