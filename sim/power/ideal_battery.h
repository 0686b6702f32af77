// The ideal battery: a coulomb counter with a charge efficiency, clipped at full and at
// empty. Its voltage is the nominal one whatever the load. The seed paper's model.
#pragma once

#include <algorithm>

#include "sim/power/battery_model.h"

namespace ej::power {

class IdealBattery : public BatteryModel {
 public:
  // CAPACITY at NOMINAL volts, starting at INITIAL_SOC (0..1); CHARGE_EFFICIENCY (0..1]
  // is the fraction of the charge offered by the charger that is stored.
  IdealBattery(Charge capacity, Voltage nominal, Ratio initialSoc, Ratio chargeEfficiency);

  Step advance(Current net, Time dt) override;
  std::optional<Time> timeToEmpty(Current net) const override;
  std::optional<Time> timeToRecharge(Ratio soc, Current net) const override;
  Charge capacity() const override { return m_capacity; }
  Charge remaining() const override { return std::max(Charge(), m_remaining); }
  Voltage terminalVoltage(Current) const override { return m_nominal; }
  // The nominal voltage whatever the load: below VMIN from the start, or never.
  std::optional<Time> timeToVoltage(Voltage vmin, Current) const override {
    return m_nominal < vmin ? std::optional<Time>(Time()) : std::nullopt;
  }
  // The counter moves with the capacity: what was deliverable stays deliverable, plus or
  // minus the change (below zero: charge locked by the cold, given back when warm).
  void setCapacity(Charge capacity) override;

 private:
  Charge m_capacity;
  Voltage m_nominal;
  Ratio m_chargeEfficiency;
  // Deliverable charge; negative while the cold locks more than the cell holds above the
  // bottom (never below minus the locked part, i.e. an empty cell).
  Charge m_remaining;
};

}  // namespace ej::power
