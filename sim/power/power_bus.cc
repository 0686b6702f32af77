// Power bus: event-driven bookkeeping; nothing runs between state changes.
#include "sim/power/power_bus.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "sim/core/sim_time.h"

namespace ej::power {
namespace {
constexpr std::size_t kNoLoad = 2;  // the regulator's state while its loads are cut off
}

PowerBus::PowerBus(sc_core::sc_module_name name) : sc_module(name), storage("storage") {}

ComponentId PowerBus::attach(const std::string& name, std::vector<PowerState> states, Flow flow) {
  return m_ledger.add(name, states, flow);
}

void PowerBus::start_of_simulation() {
  // Attached last, so that the parts keep their places in the ledger and the reports.
  if (m_regulator) {
    m_regulatorId = m_ledger.add(
        "regulator", {{"regulating", Current()}, {"dropout", Current()}, {"no_load", Current()}},
        Flow::Load);
    m_ledger.keepPowered(m_regulatorId);  // it stays on the battery during an outage
  }
  m_voltage = storage->voltage();
  updateBattery();
  if (m_traceFile) {
    const auto* parent = get_parent_object();
    const std::string owner = parent ? std::string(parent->name()) + "." : "";
    m_trace = std::make_unique<PowerTrace>(m_traceFile, m_ledger, m_traceSoc, owner);
    m_trace->update(m_ledger, m_voltage);
  }
}

template <class Change>
void PowerBus::change(Change&& apply) {
  m_ledger.advanceTo(core::simNow(), m_voltage, m_loadVoltage);
  if (sc_core::sc_time_stamp() != m_instant) {
    m_before = {m_ledger.current(Flow::Load), m_ledger.current(Flow::Source), Voltage()};
    m_netBefore = m_net;
    m_instant = sc_core::sc_time_stamp();
  }
  apply();
  updateBattery();
  if (m_trace) m_trace->update(m_ledger, m_voltage);
  ++m_changes;
}

void PowerBus::updateBattery() {
  // The regulator reads the battery's voltage now: bring its state up to now first.
  if (m_regulator) storage->settle();
  const Current sources = m_ledger.current(Flow::Source);
  const Current net = m_regulator ? regulate(sources) : m_ledger.current(Flow::Load) - sources;
  m_net = net;
  storage->setNetCurrent(net);
  m_voltage = storage->voltage();
  if (!m_regulator) m_loadVoltage = m_voltage;
}

// The input current depends on the battery voltage (a buck's input power is fixed, so its
// current rises as the voltage falls), which depends on the current through the internal
// resistance: a fixed point, found by iteration. It contracts by about I_in R / V per step
// (a few 1e-3 for these batteries), so a few steps reach double precision. The currents are
// then held until the next change, like every other current on the bus.
Current PowerBus::regulate(Current sources) {
  if (!m_ledger.loadsPowered()) {
    // The loads are cut off, but the regulator stays connected to the battery: it draws its
    // no-load input current (its quiescent current), all of it lost.
    const Current in = m_regulator->inputCurrent(Current(), storage->voltageAt(-sources));
    const Voltage vin = storage->voltageAt(in - sources);
    m_ledger.setStateCurrent(m_regulatorId, kNoLoad, in);
    m_ledger.setState(m_regulatorId, kNoLoad);
    m_ledger.setPower(m_regulatorId, in * vin);
    return in - sources;
  }
  Current load{};
  const auto& components = m_ledger.components();
  for (ComponentId id = 0; id < components.size(); ++id) {
    if (id != m_regulatorId && components[id].flow == Flow::Load) load += components[id].current();
  }
  Current in = load;
  Voltage vin = storage->voltageAt(in - sources);
  try {
    for (int k = 0; k < 100; ++k) {
      const Current next = m_regulator->inputCurrent(load, vin);
      const bool converged = std::abs(in_A(next - in)) <= 1e-12 * std::abs(in_A(next)) + 1e-18;
      in = next;
      vin = storage->voltageAt(in - sources);
      if (converged) break;
    }
  } catch (const std::domain_error& e) {
    throw std::runtime_error(
        fmt::format("node.regulator: at t = {:.9g} s: {}", in_s(core::simNow()), e.what()));
  }
  const Voltage out = m_regulator->outputVoltage(load, vin);
  const std::size_t state = m_regulator->inRegulation(load, vin) ? 0 : 1;
  m_ledger.setStateCurrent(m_regulatorId, state, in - load);
  m_ledger.setState(m_regulatorId, state);
  m_ledger.setPower(m_regulatorId, in * vin - load * out);
  m_loadVoltage = out;
  return in - sources;
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

PowerBus::Reading PowerBus::readingBeforeNow() const {
  if (sc_core::sc_time_stamp() == m_instant && m_instant != sc_core::SC_ZERO_TIME) {
    Reading r = m_before;
    r.voltage = storage->voltageAt(m_netBefore);
    return r;
  }
  return {m_ledger.current(Flow::Load), m_ledger.current(Flow::Source), storage->voltage()};
}

void PowerBus::settle() {
  m_ledger.advanceTo(core::simNow(), m_voltage, m_loadVoltage);
  storage->settle();
}

}  // namespace ej::power
