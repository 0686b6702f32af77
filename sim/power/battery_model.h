// The physics interface every battery model implements (ideal counter, KiBaM, Peukert):
// plain C++, no SystemC, advanced in closed form over intervals of constant current.
#pragma once

#include <optional>

#include "sim/core/units.h"

namespace ej::power {

class BatteryModel {
 public:
  virtual ~BatteryModel() = default;

  // What one advance() did, all as charge at the battery terminals.
  struct Step {
    Charge drawn;     // taken out by the load (net discharge)
    Charge accepted;  // pushed in by the charger and stored (after charge efficiency)
    Charge wasted;    // offered by the charger but not stored: battery full, or efficiency
  };

  // Advances the state by DT with NET current constant over it: positive discharges the
  // battery, negative charges it. The model clips at full (the surplus is `wasted`) and at
  // empty (it stops delivering; the caller detects empty with timeToEmpty()).
  virtual Step advance(Current net, Time dt) = 0;

  // How long the battery can deliver a constant NET current (> 0) before it is empty; none
  // when it never empties at that current (net <= 0).
  virtual std::optional<Time> timeToEmpty(Current net) const = 0;

  // How long a constant charging NET current (< 0) takes to bring the state of charge up
  // to SOC; none when it never does, or when the model cannot say in closed form (the
  // caller then checks at its events).
  virtual std::optional<Time> timeToRecharge(Ratio /*soc*/, Current /*net*/) const {
    return std::nullopt;
  }

  // How long a constant NET current can flow before the terminal voltage under it,
  // terminalVoltage(NET), falls below VMIN (the brown-out threshold): zero when it is below
  // already; none when it never falls below it at that current, or when the model cannot
  // say in closed form (the caller then checks at its events).
  virtual std::optional<Time> timeToVoltage(Voltage /*vmin*/, Current /*net*/) const {
    return std::nullopt;
  }

  virtual Charge capacity() const = 0;
  // Charge that can still be delivered at a vanishing current.
  virtual Charge remaining() const = 0;
  Ratio stateOfCharge() const { return remaining() / capacity(); }
  // Terminal voltage while NET current flows (open-circuit voltage at zero).
  virtual Voltage terminalVoltage(Current net) const = 0;
  virtual bool empty() const { return remaining() <= Charge(); }
  // The part's cutoff voltage: the brown-out threshold when no regulator sets one (zero:
  // the model has none, the node runs until the battery is empty).
  virtual Voltage cutoffVoltage() const { return Voltage(); }
};

}  // namespace ej::power
