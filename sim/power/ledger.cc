// Ledger: piecewise-constant integration of every component's current.
#include "sim/power/ledger.h"

#include <stdexcept>

namespace ej::power {

Charge Ledger::Component::charge() const {
  Charge total{};
  for (const auto& s : states) total += s.charge;
  return total;
}

Energy Ledger::Component::energy() const {
  Energy total{};
  for (const auto& s : states) total += s.energy;
  return total;
}

ComponentId Ledger::add(const std::string& name, const std::vector<PowerState>& states, Flow flow) {
  if (states.empty()) throw std::invalid_argument(name + ": a part needs at least one state");
  for (const auto& c : m_components) {
    if (c.name == name) throw std::invalid_argument(name + ": attached twice to the power bus");
  }
  Component component{name, flow, 0, {}, std::nullopt};
  for (const auto& s : states) component.states.push_back({s.name, s.current, {}, {}, {}});
  m_components.push_back(std::move(component));
  changed(flow);
  return m_components.size() - 1;
}

void Ledger::advanceTo(Time now, Voltage batteryVoltage, Voltage loadVoltage) {
  const Time dt = now - m_last;
  if (dt <= Time()) return;
  for (auto& c : m_components) {
    if (c.flow == Flow::Load && !m_loadsPowered && !c.keptPowered) continue;
    auto& s = c.states[c.state];
    s.time += dt;
    s.charge += s.current * dt;
    const Voltage v = c.flow == Flow::Load ? loadVoltage : batteryVoltage;
    s.energy += c.power ? *c.power * dt : s.current * v * dt;
  }
  m_last = now;
}

Current Ledger::current(Flow flow) const {
  auto& kept = m_current[static_cast<std::size_t>(flow)];
  if (kept) return *kept;
  Current total{};
  for (const auto& c : m_components) {
    if (c.flow != flow || c.internal) continue;
    if (flow == Flow::Load && !m_loadsPowered && !c.keptPowered) continue;
    total += c.current();
  }
  kept = total;
  return total;
}

Charge Ledger::charge(Flow flow) const {
  Charge total{};
  for (const auto& c : m_components) {
    if (c.flow == flow) total += c.charge();
  }
  return total;
}

Energy Ledger::energy(Flow flow) const {
  Energy total{};
  for (const auto& c : m_components) {
    if (c.flow == flow) total += c.energy();
  }
  return total;
}

}  // namespace ej::power
