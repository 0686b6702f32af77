// Peukert's law (W. Peukert, Elektrotechnische Zeitschrift 20, 1897; in the form
// t = H (C/(I H))^n of e.g. Doerffel & Abu Sharkh, J. Power Sources 155, 2006, eq. 2).
#include "sim/power/battery/peukert_battery.h"

#include <algorithm>
#include <cmath>

namespace ej::battery {

PeukertBattery::PeukertBattery(const BatteryParams& params)
    : m_params(params), m_remaining(params.initialSoc * params.capacity), m_full(params.capacity) {}

void PeukertBattery::setCapacity(Charge capacity) {
  m_remaining += capacity - m_params.capacity;
  m_params.capacity = capacity;
}

Current PeukertBattery::effectiveCurrent(Current net) const {
  if (net <= Current()) return net;
  const double rated = in_A(m_params.capacity / m_params.peukertRatedTime);
  const double i = in_A(net);
  return amperes(std::max(i, rated * std::pow(i / rated, m_params.peukertExponent)));
}

std::optional<Time> PeukertBattery::timeToEmpty(Current net) const {
  const Current leak = m_params.selfDischargeCurrent();
  const Current load = net > Current() ? effectiveCurrent(net) : net * m_params.chargeEfficiency;
  const Current drain = load + leak;
  if (drain <= Current()) return std::nullopt;
  return remaining() / drain;
}

std::optional<Time> PeukertBattery::timeToVoltage(Voltage vmin, Current net) const {
  if (vmin <= Voltage() || m_params.ocv.empty()) return std::nullopt;
  const double n = static_cast<double>(m_params.series);
  const auto soc = m_params.ocv.socAt(vmin / n + net * m_params.internalResistance);
  if (!soc) return seconds(0);
  const Charge level = *soc * m_params.capacity;
  if (level <= Charge()) return std::nullopt;  // only when empty: timeToEmpty()'s instant
  if (m_remaining <= level) return seconds(0);
  const Current load = net > Current() ? effectiveCurrent(net) : net * m_params.chargeEfficiency;
  const Current drain = load + m_params.selfDischargeCurrent();
  if (drain <= Current()) return std::nullopt;
  return (m_remaining - level) / drain;
}

power::BatteryModel::Step PeukertBattery::advance(Current net, Time dt) {
  Step step{};
  const Current leak = m_params.selfDischargeCurrent();
  if (net > Current()) {
    const Current drain = effectiveCurrent(net) + leak;
    // Nothing is delivered (nor leaks) while the cell is empty, or locked below it.
    const Time t = std::clamp(m_remaining / drain, Time(), dt);
    if (t > Time()) m_remaining = std::max(Charge(), m_remaining - drain * t);
    step.drawn = net * t;
  } else {
    const Charge offered = -net * dt;
    const Charge stored = offered * m_params.chargeEfficiency;
    const Charge before = m_remaining;
    // Physically between an empty and a full cell: the locked part below zero.
    const Charge locked = m_full - m_params.capacity;
    m_remaining = std::clamp(m_remaining + stored - leak * dt, -locked, m_params.capacity);
    // Whatever did not raise the stored charge (beyond covering the leak) is wasted.
    const Charge kept = std::clamp(m_remaining - before + leak * dt, Charge(), offered);
    step.accepted = kept;
    step.wasted = offered - kept;
  }
  return step;
}

Voltage PeukertBattery::terminalVoltage(Current net) const {
  const double n = static_cast<double>(m_params.series);
  return n * m_params.ocv.at(stateOfCharge()) - net * (n * m_params.internalResistance);
}

}  // namespace ej::battery
