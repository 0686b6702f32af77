// Ideal battery: charge balance q(t+dt) = q(t) - I dt (discharge) or q + eta |I| dt (charge).
#include "sim/power/ideal_battery.h"

#include <algorithm>

namespace ej::power {

IdealBattery::IdealBattery(Charge capacity, Voltage nominal, Ratio initialSoc,
                           Ratio chargeEfficiency)
    : m_capacity(capacity),
      m_nominal(nominal),
      m_chargeEfficiency(chargeEfficiency),
      m_remaining(capacity * initialSoc) {}

BatteryModel::Step IdealBattery::advance(Current net, Time dt) {
  Step step{};
  if (net > Current()) {
    step.drawn = std::min(net * dt, remaining());
    m_remaining -= step.drawn;
  } else if (net < Current()) {
    const Charge offered = -net * dt;
    step.accepted = std::min(offered * m_chargeEfficiency, m_capacity - m_remaining);
    step.wasted = offered - step.accepted;
    m_remaining += step.accepted;
  }
  return step;
}

std::optional<Time> IdealBattery::timeToEmpty(Current net) const {
  if (net <= Current()) return std::nullopt;
  return remaining() / net;
}

void IdealBattery::setCapacity(Charge capacity) {
  m_remaining += capacity - m_capacity;
  m_capacity = capacity;
}

std::optional<Time> IdealBattery::timeToRecharge(Ratio soc, Current net) const {
  const Charge missing = m_capacity * soc - m_remaining;
  if (missing <= Charge()) return Time();
  if (net >= Current() || m_chargeEfficiency <= ratio(0)) return std::nullopt;
  return missing / (-net * m_chargeEfficiency);
}

}  // namespace ej::power
