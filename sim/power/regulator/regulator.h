// Converters between the battery and the load, one spec for every kind: a linear LDO
// (input current = load + quiescent; dropout as a pass resistance), a buck (a datasheet
// efficiency table, or a loss budget; 100 % duty pass-through near dropout), a boost (an
// efficiency table; passes the input through once it is above the output) and a buck-boost
// (an efficiency table over the whole input range). The spec is parsed once
// (RegulatorSpec::fromConfig, `model: ldo | buck | boost | buck_boost`); Regulator is the
// one model built from it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/units.h"

namespace ej::regulator {

// Efficiency against load current at a few input voltages, as read from a datasheet's
// "efficiency vs output current" figure: log-linear in the load between points, linear in
// the input voltage between curves, flat beyond the ends of either.
class EfficiencyTable {
 public:
  struct Curve {
    Voltage input;
    std::vector<std::pair<Current, double>> points;  // (load, efficiency 0..1], by load
  };
  EfficiencyTable() = default;
  explicit EfficiencyTable(std::vector<Curve> curves);
  bool empty() const { return m_curves.empty(); }
  double at(Current load, Voltage vin) const;
  // The lowest load any curve gives (below it the converter's quiescent power takes over).
  Current lowestLoad() const;

 private:
  static double onCurve(const Curve& curve, Current load);
  std::vector<Curve> m_curves;  // by input voltage
};

struct LdoSpec {
  Resistance dropoutResistance;  // Vdo = I R, from a datasheet dropout voltage at a current
};
struct BuckSpec {
  // Without an efficiency table: P_in = P_out (1 + proportional_loss) + V_in I_q + I^2 R.
  // In 100 % mode the high-side switch (R) passes the input through.
  Resistance switchResistance;
  Ratio proportionalLoss = ratio(0);
};
struct BoostSpec {
  // Once the input is above the output, the input passes through this resistance (the
  // rectifying switch held on, or a bypass switch): the output follows the input.
  Resistance passResistance;
  // The input voltage at which max_output_current is rated (`max_output_current_input`):
  // a boost's output capability scales with its input at its switch current limit, so the
  // rating sets an input current limit (see Regulator::inputCurrentLimit).
  std::optional<Voltage> ratedInput;
};
struct BuckBoostSpec {};

struct RegulatorSpec {
  std::string name;                // the part's `name`, for messages and reports
  Voltage output = volts(3.3);     // regulated output voltage
  Current quiescent;               // input current at no load, in regulation
  Current maxOutput = amperes(1);  // rated output current (more is an overload)
  Voltage minInput;                // lowest input it runs from (UVLO)
  Voltage maxInput = volts(100);   // highest input the datasheet specifies
  // Lowest input it starts from (boosts start higher than they run); none: minInput.
  std::optional<Voltage> startUpInput;
  EfficiencyTable efficiency;  // required for boost and buck_boost, optional for buck
  std::variant<LdoSpec, BuckSpec, BoostSpec, BuckBoostSpec> kind;
  // "FILE:LINE:COL: node.regulator.max_output_current" (or the --set), for an overload
  // found at run time.
  std::string maxOutputAt;

  // Keys: model, name, output_voltage, quiescent_current, max_output_current,
  // min_input_voltage, max_input_voltage, start_up_voltage, efficiency (list of
  // {input_voltage, points: [{load, efficiency}], source}); ldo: dropout_voltage and
  // dropout_current; buck: switch_resistance, proportional_loss; boost: pass_resistance.
  static RegulatorSpec fromConfig(const core::Config& cfg);
  // `ldo`, `buck`, `boost` or `buck_boost`.
  std::string kindName() const;
  // True for the kinds that can only step down (LDO, buck): their output follows the input
  // below the set point.
  bool stepsDownOnly() const;
  // The resistance through which the output follows the input when it cannot regulate
  // (LDO dropout, buck 100 % mode); zero for the kinds that hold their output.
  Resistance followResistance() const;
  // Checks at load time that the part fits a battery of NOMINAL voltage whose open-circuit
  // voltage is OCV now; fails at CFG's offending key: a step-down converter set above the
  // nominal voltage (it would sit in dropout), an input above max_input_voltage, a boost
  // that cannot start.
  void checkSupply(const core::Config& cfg, Voltage nominal, Voltage ocv) const;
};

class Regulator {
 public:
  explicit Regulator(RegulatorSpec spec);

  // Current drawn from the battery at VIN while the load draws LOAD at the output.
  // Throws std::domain_error when LOAD exceeds the rated output current.
  Current inputCurrent(Current load, Voltage vin) const;
  // Output voltage at VIN and LOAD: the set point in regulation; below it in dropout (LDO)
  // or 100 % mode (buck); above it when a boost passes a higher input through; zero below
  // the minimum input.
  Voltage outputVoltage(Current load, Voltage vin) const;
  // True when the output holds its set point.
  bool inRegulation(Current load, Voltage vin) const;
  // True when the input is passed straight through (LDO dropout, buck 100 % mode, boost
  // with the input above the output).
  bool passingThrough(Current load, Voltage vin) const;
  // The three above at once (the bus asks for all of them at every change).
  struct Point {
    Voltage output;
    bool passingThrough;
    bool inRegulation;
  };
  Point pointAt(Current load, Voltage vin) const {
    const bool passing = passingThrough(load, vin);
    return {outputVoltage(load, vin), passing, vin >= m_spec.minInput && !passing};
  }
  // The input current I that is consistent with a source of open-circuit voltage OPEN and
  // internal resistance R (V_in = OPEN - R I) while the load draws LOAD, in closed form where
  // the model gives one: a switching buck's loss budget makes I V_in a quadratic in I. None
  // for the other kinds, in 100 % mode, below the minimum input or over the rated load: the
  // caller then iterates inputCurrent() on the voltage.
  std::optional<Current> inputCurrentOn(Current load, Voltage open, Resistance r) const;
  // Power efficiency P_out / P_in at LOAD and VIN.
  Ratio efficiency(Current load, Voltage vin) const;
  // A boost rated at max_output_current from max_output_current_input: the input current
  // it can draw at most, I_out,max V_out / (V_in,rated eta there) (power balance at the
  // switch current limit). Above it the output collapses: a brown-out, not an error.
  std::optional<Current> inputCurrentLimit() const;

  const RegulatorSpec& spec() const { return m_spec; }
  const RegulatorSpec& params() const { return m_spec; }

 private:
  // Input power from the efficiency table, with the quiescent power below its lowest load.
  Power tableInputPower(Current load, Voltage vin) const;

  RegulatorSpec m_spec;
};

}  // namespace ej::regulator
