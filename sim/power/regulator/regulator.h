// Regulators between the battery and the load: a linear LDO (input current = load +
// quiescent; dropout as a pass resistance) and a buck converter (power balance with a
// quiescent, a conduction and a proportional switching loss; 100 % mode near dropout).
#pragma once

#include "sim/core/config.h"
#include "sim/core/units.h"

namespace ej::regulator {

struct RegulatorParams {
  enum class Kind { Ldo, Buck };
  Kind kind = Kind::Ldo;           // `model: ldo | buck`
  Voltage output = volts(3.3);     // regulated output voltage
  Current quiescent;               // input current at no load, in regulation
  Current maxOutput = amperes(1);  // rated output current (more is refused)
  Voltage minInput;                // lowest input the datasheet specifies (UVLO)
  Voltage maxInput = volts(100);   // highest input the datasheet specifies
  // LDO: dropout voltage grows linearly with the load through the pass transistor,
  // Vdo = I * R; R from a datasheet dropout voltage at a current.
  Resistance dropoutResistance;
  // Buck: P_in = P_out (1 + proportional_loss) + V_in I_q + I_out^2 R_switch.
  Resistance switchResistance;
  Ratio proportionalLoss = ratio(0);

  // Keys: model, output_voltage, quiescent_current, max_output_current, min_input_voltage,
  // max_input_voltage; ldo: dropout_voltage and dropout_current; buck: switch_resistance,
  // proportional_loss.
  static RegulatorParams fromConfig(const core::Config& cfg);
  // Fails at CFG's max_input_voltage when the battery's open-circuit voltage SUPPLY (at its
  // initial state) is above it: the part would be driven beyond its datasheet range.
  void checkSupply(const core::Config& cfg, Voltage supply) const;
};

class Regulator {
 public:
  explicit Regulator(RegulatorParams params);

  // Current drawn from the battery at VIN while the load draws LOAD at the output.
  // Throws std::domain_error when LOAD exceeds the rated output current.
  Current inputCurrent(Current load, Voltage vin) const;
  // Output voltage at VIN and LOAD: the set point in regulation, below it in dropout
  // (LDO) or 100 % mode (buck), zero below the minimum input.
  Voltage outputVoltage(Current load, Voltage vin) const;
  // True when the output holds its set point.
  bool inRegulation(Current load, Voltage vin) const;
  // Power efficiency P_out / P_in at LOAD and VIN.
  Ratio efficiency(Current load, Voltage vin) const;

  const RegulatorParams& params() const { return m_params; }

 private:
  RegulatorParams m_params;
};

}  // namespace ej::regulator
