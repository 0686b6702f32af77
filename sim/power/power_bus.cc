// Power bus: event-driven bookkeeping; nothing runs between state changes.
#include "sim/power/power_bus.h"

#include "sim/core/sim_time.h"

namespace ej::power {

PowerBus::PowerBus(sc_core::sc_module_name name) : sc_module(name), storage("storage") {}

ComponentId PowerBus::attach(const std::string& name, std::vector<PowerState> states, Flow flow) {
  return m_ledger.add(name, states, flow);
}

void PowerBus::start_of_simulation() {
  m_voltage = storage->voltage();
  storage->setNetCurrent(m_ledger.current(Flow::Load) - m_ledger.current(Flow::Source));
  m_voltage = storage->voltage();
  if (m_traceFile) {
    const auto* parent = get_parent_object();
    const std::string owner = parent ? std::string(parent->name()) + "." : "";
    m_trace = std::make_unique<PowerTrace>(m_traceFile, m_ledger, m_traceSoc, owner);
    m_trace->update(m_ledger, m_voltage);
  }
}

template <class Change>
void PowerBus::change(Change&& apply) {
  m_ledger.advanceTo(core::simNow(), m_voltage);
  apply();
  storage->setNetCurrent(m_ledger.current(Flow::Load) - m_ledger.current(Flow::Source));
  m_voltage = storage->voltage();
  if (m_trace) m_trace->update(m_ledger, m_voltage);
  ++m_changes;
}

void PowerBus::setState(ComponentId id, std::size_t state) {
  if (m_ledger.component(id).state == state) return;
  change([&] { m_ledger.setState(id, state); });
}

void PowerBus::setStateCurrent(ComponentId id, std::size_t state, Current current) {
  change([&] { m_ledger.setStateCurrent(id, state, current); });
}

void PowerBus::setLoadsPowered(bool powered) {
  if (m_ledger.loadsPowered() == powered) return;
  change([&] { m_ledger.setLoadsPowered(powered); });
}

void PowerBus::settle() {
  m_ledger.advanceTo(core::simNow(), m_voltage);
  storage->settle();
}

}  // namespace ej::power
