// LDO and buck regulator models; see regulator.h and sim/power/battery/README.md.
#include "sim/power/regulator/regulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ej::regulator {

RegulatorParams RegulatorParams::fromConfig(const core::Config& cfg) {
  using core::Range;
  RegulatorParams p;
  p.kind = cfg.choice("model", {"ldo", "buck"}) == "buck" ? Kind::Buck : Kind::Ldo;
  p.output = cfg.quantity<Voltage>("output_voltage", Range::Positive);
  p.quiescent = cfg.quantity<Current>("quiescent_current", Range::NonNegative);
  p.maxOutput = cfg.quantity<Current>("max_output_current", Range::Positive);
  p.minInput = cfg.quantity<Voltage>("min_input_voltage", volts(0), Range::NonNegative);
  p.maxInput = cfg.quantity<Voltage>("max_input_voltage", p.maxInput, Range::Positive);
  if (p.kind == Kind::Ldo) {
    const auto vdo = cfg.quantity<Voltage>("dropout_voltage", Range::NonNegative);
    const auto ido = cfg.quantity<Current>("dropout_current", Range::Positive);
    p.dropoutResistance = vdo / ido;
  } else {
    p.switchResistance =
        cfg.quantity<Resistance>("switch_resistance", Resistance(), Range::NonNegative);
    p.proportionalLoss = ratio(cfg.number("proportional_loss", 0.0, Range::NonNegative));
  }
  return p;
}

void RegulatorParams::checkSupply(const core::Config& cfg, Voltage supply) const {
  if (supply > maxInput) {
    cfg.fail("max_input_voltage",
             fmt::format("{:.3g} V is below the battery's open-circuit voltage, {:.3g} V",
                         in_V(maxInput), in_V(supply)));
  }
}

Regulator::Regulator(RegulatorParams params) : m_params(std::move(params)) {}

Voltage Regulator::outputVoltage(Current load, Voltage vin) const {
  if (vin < m_params.minInput) return volts(0);
  const Resistance r = m_params.kind == RegulatorParams::Kind::Ldo ? m_params.dropoutResistance
                                                                   : m_params.switchResistance;
  return std::clamp(vin - load * r, volts(0), m_params.output);
}

bool Regulator::inRegulation(Current load, Voltage vin) const {
  const Resistance r = m_params.kind == RegulatorParams::Kind::Ldo ? m_params.dropoutResistance
                                                                   : m_params.switchResistance;
  return vin >= m_params.minInput && vin - load * r >= m_params.output;
}

Current Regulator::inputCurrent(Current load, Voltage vin) const {
  if (load > m_params.maxOutput) {
    throw std::domain_error(fmt::format("load {:.1f} mA exceeds the regulator's {:.1f} mA",
                                        in_mA(load), in_mA(m_params.maxOutput)));
  }
  if (vin <= Voltage()) return amperes(0);
  if (m_params.kind == RegulatorParams::Kind::Ldo || !inRegulation(load, vin)) {
    // A linear pass element (LDO, or the buck's high-side switch held on in 100 % mode):
    // the load current flows straight through.
    return load + m_params.quiescent;
  }
  // Buck power balance (Erickson & Maksimovic, "Fundamentals of Power Electronics", 2nd ed.,
  // ch. 3: conduction loss I^2 R; light-load PFM losses scale with the delivered power).
  const Power out = m_params.output * load;
  const Power in = out * (1.0 + m_params.proportionalLoss.value()) + vin * m_params.quiescent +
                   load * load * m_params.switchResistance;
  return in / vin;
}

Ratio Regulator::efficiency(Current load, Voltage vin) const {
  const Current in = inputCurrent(load, vin);
  if (in <= Current()) return ratio(0);
  return outputVoltage(load, vin) * load / (vin * in);
}

}  // namespace ej::regulator
