// LDO, buck, boost and buck-boost models; see regulator.h and sim/power/regulator/README.md.
#include "sim/power/regulator/regulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/power/regulator/supply_range.h"

namespace ej::regulator {

// ---------------------------------------------------------------- EfficiencyTable

EfficiencyTable::EfficiencyTable(std::vector<Curve> curves) : m_curves(std::move(curves)) {
  for (auto& c : m_curves) {
    std::sort(c.points.begin(), c.points.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  std::sort(m_curves.begin(), m_curves.end(),
            [](const Curve& a, const Curve& b) { return a.input < b.input; });
}

double EfficiencyTable::onCurve(const Curve& curve, Current load) {
  const auto& p = curve.points;
  if (load <= p.front().first) return p.front().second;
  if (load >= p.back().first) return p.back().second;
  for (std::size_t j = 1; j < p.size(); ++j) {
    if (p[j].first < load) continue;
    // Datasheet efficiency curves are drawn on a logarithmic current axis.
    const double w = std::log(load / p[j - 1].first) / std::log(p[j].first / p[j - 1].first);
    return p[j - 1].second + w * (p[j].second - p[j - 1].second);
  }
  return p.back().second;
}

double EfficiencyTable::at(Current load, Voltage vin) const {
  if (vin <= m_curves.front().input) return onCurve(m_curves.front(), load);
  if (vin >= m_curves.back().input) return onCurve(m_curves.back(), load);
  for (std::size_t j = 1; j < m_curves.size(); ++j) {
    if (m_curves[j].input < vin) continue;
    const double w =
        ((vin - m_curves[j - 1].input) / (m_curves[j].input - m_curves[j - 1].input)).value();
    return (1 - w) * onCurve(m_curves[j - 1], load) + w * onCurve(m_curves[j], load);
  }
  return onCurve(m_curves.back(), load);
}

Current EfficiencyTable::lowestLoad() const {
  Current lowest = m_curves.front().points.front().first;
  for (const auto& c : m_curves) lowest = std::min(lowest, c.points.front().first);
  return lowest;
}

// ---------------------------------------------------------------- RegulatorSpec

RegulatorSpec RegulatorSpec::fromConfig(const core::Config& cfg) {
  using core::Range;
  RegulatorSpec p;
  const std::string model = cfg.choice("model", {"ldo", "buck", "boost", "buck_boost"});
  p.name = cfg.text("name", "regulator");
  p.output = cfg.quantity<Voltage>("output_voltage", Range::Positive);
  p.quiescent = cfg.quantity<Current>("quiescent_current", Range::NonNegative);
  p.maxOutput = cfg.quantity<Current>("max_output_current", Range::Positive);
  p.maxOutputAt = locationOf(cfg, "max_output_current");
  p.minInput = cfg.quantity<Voltage>("min_input_voltage", volts(0), Range::NonNegative);
  p.maxInput = cfg.quantity<Voltage>("max_input_voltage", p.maxInput, Range::Positive);
  if (cfg.has("start_up_voltage")) {
    p.startUpInput = cfg.quantity<Voltage>("start_up_voltage", Range::Positive);
  }
  std::vector<EfficiencyTable::Curve> curves;
  for (const auto& curve : cfg.items("efficiency")) {
    EfficiencyTable::Curve c{curve.quantity<Voltage>("input_voltage", Range::Positive), {}};
    for (const auto& point : curve.items("points")) {
      // One read after the other: the order of a call's arguments is unspecified (gcc and
      // clang differ), and it decides which key an error names first and the order of the
      // keys in `edgejoule schema`.
      const double efficiency = point.number("efficiency", Range::Fraction);
      c.points.emplace_back(point.quantity<Current>("load", Range::Positive), efficiency);
      if (c.points.back().second <= 0) point.fail("efficiency", "must be above 0");
    }
    if (c.points.empty()) curve.fail("points", "give at least one {load, efficiency} point");
    curves.push_back(std::move(c));
  }
  p.efficiency = EfficiencyTable(std::move(curves));
  if (model == "ldo") {
    const auto vdo = cfg.quantity<Voltage>("dropout_voltage", Range::NonNegative);
    const auto ido = cfg.quantity<Current>("dropout_current", Range::Positive);
    p.kind = LdoSpec{vdo / ido};
  } else if (model == "buck") {
    p.kind =
        BuckSpec{cfg.quantity<Resistance>("switch_resistance", Resistance(), Range::NonNegative),
                 ratio(cfg.number("proportional_loss", 0.0, Range::NonNegative))};
  } else {
    if (p.efficiency.empty()) {
      cfg.fail("efficiency",
               "a " + model + " needs its datasheet efficiency curves (efficiency vs load)");
    }
    if (model == "boost") {
      BoostSpec boost{cfg.quantity<Resistance>("pass_resistance", Resistance(), Range::NonNegative),
                      {}};
      if (cfg.has("max_output_current_input")) {
        boost.ratedInput = cfg.quantity<Voltage>("max_output_current_input", Range::Positive);
      }
      p.kind = boost;
    } else {
      p.kind = BuckBoostSpec{};
    }
  }
  return p;
}

std::string RegulatorSpec::kindName() const {
  switch (kind.index()) {
    case 0:
      return "ldo";
    case 1:
      return "buck";
    case 2:
      return "boost";
    default:
      return "buck_boost";
  }
}

bool RegulatorSpec::stepsDownOnly() const {
  return std::holds_alternative<LdoSpec>(kind) || std::holds_alternative<BuckSpec>(kind);
}

Resistance RegulatorSpec::followResistance() const {
  if (const auto* ldo = std::get_if<LdoSpec>(&kind)) return ldo->dropoutResistance;
  if (const auto* buck = std::get_if<BuckSpec>(&kind)) return buck->switchResistance;
  return Resistance();
}

void RegulatorSpec::checkSupply(const core::Config& cfg, Voltage nominal, Voltage ocv) const {
  if (ocv > maxInput) {
    cfg.fail("max_input_voltage",
             fmt::format("{:.3g} V is below the battery's open-circuit voltage, {:.3g} V",
                         in_V(maxInput), in_V(ocv)));
  }
  if (stepsDownOnly() && output > nominal) {
    cfg.fail("output_voltage",
             fmt::format("a {} ({}) cannot raise the battery's nominal {:.3g} V to {:.3g} V: it "
                         "would sit in dropout; use a boost or buck_boost, or a lower output",
                         kindName(), name, in_V(nominal), in_V(output)));
  }
  const Voltage start = startUpInput.value_or(minInput);
  if (ocv < start) {
    cfg.fail(startUpInput ? "start_up_voltage" : "min_input_voltage",
             fmt::format("{} does not start from the battery's {:.3g} V (it needs {:.3g} V)", name,
                         in_V(ocv), in_V(start)));
  }
}

// ---------------------------------------------------------------- Regulator

Regulator::Regulator(RegulatorSpec spec) : m_spec(std::move(spec)) {}

bool Regulator::passingThrough(Current load, Voltage vin) const {
  if (vin < m_spec.minInput) return false;
  if (const auto* boost = std::get_if<BoostSpec>(&m_spec.kind)) {
    return vin - load * boost->passResistance > m_spec.output;
  }
  if (m_spec.stepsDownOnly()) return vin - load * m_spec.followResistance() < m_spec.output;
  return false;
}

Voltage Regulator::outputVoltage(Current load, Voltage vin) const {
  if (vin < m_spec.minInput) return volts(0);
  if (const auto* boost = std::get_if<BoostSpec>(&m_spec.kind)) {
    return std::max(m_spec.output, vin - load * boost->passResistance);
  }
  if (m_spec.stepsDownOnly()) {
    return std::clamp(vin - load * m_spec.followResistance(), volts(0), m_spec.output);
  }
  return m_spec.output;
}

bool Regulator::inRegulation(Current load, Voltage vin) const {
  return vin >= m_spec.minInput && !passingThrough(load, vin);
}

Power Regulator::tableInputPower(Current load, Voltage vin) const {
  // The datasheet curves are measured at the input: they include the quiescent current.
  // Below the lowest load they give, the input power falls linearly to the no-load input
  // power V_in I_q (a converter's input power is affine in a light load: quiescent power
  // plus the load's power over the conversion efficiency).
  const auto& table = m_spec.efficiency;
  const Current lowest = table.lowestLoad();
  if (load >= lowest) return m_spec.output * load / table.at(load, vin);
  const Power idle = vin * m_spec.quiescent;
  const Power first = m_spec.output * lowest / table.at(lowest, vin);
  return idle + (load / lowest).value() * (first - idle);
}

std::optional<Current> Regulator::inputCurrentLimit() const {
  const auto* boost = std::get_if<BoostSpec>(&m_spec.kind);
  if (!boost || !boost->ratedInput) return std::nullopt;
  const Voltage vin = *boost->ratedInput;
  return m_spec.output * m_spec.maxOutput / (vin * m_spec.efficiency.at(m_spec.maxOutput, vin));
}

Current Regulator::inputCurrent(Current load, Voltage vin) const {
  // A boost with an input current limit browns out above it (BatteryModule); its
  // max_output_current is a rating at one input voltage, not a bound on the load.
  if (load > m_spec.maxOutput && !inputCurrentLimit()) {
    throw std::domain_error(fmt::format("{}: load {:.1f} mA exceeds its {:.1f} mA", m_spec.name,
                                        in_mA(load), in_mA(m_spec.maxOutput)));
  }
  if (vin <= Voltage()) return amperes(0);
  if (std::holds_alternative<LdoSpec>(m_spec.kind) || passingThrough(load, vin)) {
    // A linear pass element (LDO; a buck's high-side switch held on in 100 % mode; a
    // boost's pass switch): the load current flows straight through.
    return load + m_spec.quiescent;
  }
  if (!m_spec.efficiency.empty()) return tableInputPower(load, vin) / vin;
  // Buck loss budget (Erickson & Maksimovic, "Fundamentals of Power Electronics", 2nd ed.,
  // ch. 3: conduction loss I^2 R; light-load PFM losses scale with the delivered power).
  const auto& buck = std::get<BuckSpec>(m_spec.kind);
  const Power out = m_spec.output * load;
  const Power in = out * (1.0 + buck.proportionalLoss.value()) + vin * m_spec.quiescent +
                   load * load * buck.switchResistance;
  return in / vin;
}

std::optional<Current> Regulator::inputCurrentOn(Current load, Voltage open, Resistance r) const {
  const auto* buck = std::get_if<BuckSpec>(&m_spec.kind);
  if (!buck || !m_spec.efficiency.empty() || load > m_spec.maxOutput) return std::nullopt;
  // inputCurrent()'s budget with V_in = OPEN - R I:
  //   I (OPEN - R I) = P_out (1 + k) + I_load^2 R_sw + (OPEN - R I) I_q,
  //   R I^2 - (OPEN + R I_q) I + (P_out (1 + k) + I_load^2 R_sw + OPEN I_q) = 0,
  // the smaller root (the larger one lies past the source's maximum power point), in the form
  // that does not lose digits to cancellation: I = 2c / (b + sqrt(b^2 - 4 R c)).
  const double b = in_V(open) + r.value() * in_A(m_spec.quiescent);
  const double c = in_W(m_spec.output * load * (1.0 + buck->proportionalLoss.value()) +
                        load * load * buck->switchResistance) +
                   in_V(open) * in_A(m_spec.quiescent);
  const double disc = b * b - 4 * r.value() * c;
  if (!(disc >= 0) || !(b > 0)) return std::nullopt;
  const Current in = amperes(2 * c / (b + std::sqrt(disc)));
  const Voltage vin = open - in * r;
  if (vin <= Voltage() || passingThrough(load, vin) || vin < m_spec.minInput) return std::nullopt;
  return in;
}

Ratio Regulator::efficiency(Current load, Voltage vin) const {
  const Current in = inputCurrent(load, vin);
  if (in <= Current()) return ratio(0);
  return outputVoltage(load, vin) * load / (vin * in);
}

}  // namespace ej::regulator
