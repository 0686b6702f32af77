// Power bus: event-driven bookkeeping; nothing runs between state changes.
#include "sim/power/power_bus.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>
#include <stdexcept>
#include <utility>

#include "sim/core/sim_time.h"

namespace ej::power {
namespace {
constexpr std::size_t kNoLoad = 2;  // the regulator's state while its loads are cut off
}

PowerBus::PowerBus(sc_core::sc_module_name name) : sc_module(name), storage("storage") {
  SC_HAS_PROCESS(PowerBus);
  SC_METHOD(onPhase);
  sensitive << m_phaseEvent;
  dont_initialize();
}

ComponentId PowerBus::attach(const std::string& name, std::vector<PowerState> states, Flow flow) {
  return m_ledger.add(name, states, flow);
}

void PowerBus::start_of_simulation() {
  // Attached last, so that the parts keep their places in the ledger and the reports.
  if (m_regulator) {
    m_regulatorId = m_ledger.add("regulator",
                                 {{"regulating", Current()},
                                  {"dropout", Current()},
                                  {"no_load", Current()},
                                  {"pass_through", Current()}},
                                 Flow::Load);
    m_ledger.keepPowered(m_regulatorId);  // it stays on the battery during an outage
  }
  // The battery's self-discharge: a load of its own in the ledger, never cut off, applied by
  // the battery itself (not part of the net current it is told).
  if (storage->selfDischargeCurrent() > Current()) {
    m_selfDischargeId =
        m_ledger.add("self_discharge", {{"leaking", storage->selfDischargeCurrent()}}, Flow::Load);
    m_ledger.keepPowered(*m_selfDischargeId);
    m_ledger.markInternal(*m_selfDischargeId);
  }
  if (m_cover) {
    const auto& components = m_ledger.components();
    bool covering = false, covered = false;
    for (ComponentId id = 0; id < components.size(); ++id) {
      if (components[id].name == m_cover->covering) {
        m_cover->coveringId = id;
        covering = true;
      }
      if (components[id].name == m_cover->covered) {
        m_cover->coveredId = id;
        covered = true;
      }
    }
    if (covering && covered) {
      m_cover->requested = components[m_cover->coveredId].state;
      m_cover->coverState =
          m_ledger.addState(m_cover->coveredId, {"in_" + m_cover->covering, Current()});
      m_cover->resolved = true;
    }
  }
  m_voltage = storage->voltage();
  updateBattery(sc_core::sc_time_stamp());
  storage->setCatchUp([this] { catchUp(); });
  if (m_traceFile) {
    const auto* parent = get_parent_object();
    const std::string owner = parent ? std::string(parent->name()) + "." : "";
    m_trace = std::make_unique<PowerTrace>(m_traceFile, m_ledger, m_traceSoc, owner);
    m_trace->update(m_ledger, m_voltage);
  }
}

template <class Change>
void PowerBus::change(Change&& apply) {
  catchUp();
  changeAt(sc_core::sc_time_stamp(), std::forward<Change>(apply));
  arm();
}

template <class Change>
void PowerBus::changeAt(const sc_core::sc_time& at, Change&& apply) {
  m_ledger.advanceTo(core::fromScTime(at), m_voltage, m_loadVoltage);
  if (at != m_instant) {
    m_before = {m_loadNow, m_sourceNow, Voltage()};
    m_netBefore = m_net;
    m_instant = at;
  }
  apply();
  updateBattery(at);
  if (m_trace) m_trace->update(m_ledger, m_voltage);
  ++m_changes;
}

void PowerBus::refresh() {
  change([] {});
  --m_changes;
}

Voltage PowerBus::voltageBeforeNow() {
  catchUp();
  return storage->voltageAt(sc_core::sc_time_stamp() == m_instant ? m_netBefore : m_net);
}

void PowerBus::updateBattery(const sc_core::sc_time& at) {
  // The regulator reads the battery's voltage now: bring its state up to now first.
  if (m_regulator) storage->settleTo(at);
  if (m_selfDischargeId) {
    // Set only when it moves (a temperature change): setting it marks the loads' total stale.
    const Current leak = storage->selfDischargeCurrent();
    if (leak != m_ledger.component(*m_selfDischargeId).current()) {
      m_ledger.setStateCurrent(*m_selfDischargeId, 0, leak);
    }
  }
  const Current sources = m_ledger.current(Flow::Source);
  m_sourceNow = sources;
  if (!m_regulator) m_loadNow = m_ledger.current(Flow::Load);
  const Current net = m_regulator ? regulate(sources, at) : m_loadNow - sources;
  m_net = net;
  storage->setNetCurrent(net, at);
  m_voltage = storage->voltage();
  if (!m_regulator) m_loadVoltage = m_voltage;
}

// The input current depends on the battery voltage (a buck's input power is fixed, so its
// current rises as the voltage falls), which depends on the current through the internal
// resistance: a fixed point, found by iteration. It contracts by about I_in R / V per step
// (a few 1e-3 for these batteries), so a few steps reach double precision. The currents are
// then held until the next change, like every other current on the bus.
Current PowerBus::regulate(Current sources, const sc_core::sc_time& at) {
  if (!m_ledger.loadsPowered()) {
    // The loads are cut off, but the regulator stays connected to the battery: it draws its
    // no-load input current (its quiescent current), all of it lost.
    const Current in = m_regulator->inputCurrent(Current(), storage->voltageAt(-sources));
    const Voltage vin = storage->voltageAt(in - sources);
    m_ledger.setStateCurrent(m_regulatorId, kNoLoad, in);
    m_ledger.setState(m_regulatorId, kNoLoad);
    m_ledger.setPower(m_regulatorId, in * vin);
    m_loadNow = m_ledger.current(Flow::Load);
    return in - sources;
  }
  Current load{};
  const auto& components = m_ledger.components();
  for (ComponentId id = 0; id < components.size(); ++id) {
    if (id == m_regulatorId || components[id].internal || components[id].flow != Flow::Load) {
      continue;
    }
    load += components[id].current();
  }
  // Every battery model here is a Thevenin source at a given state, V(I) = V(0) - I R (the
  // open-circuit voltage less the drop on the internal resistance): two readings give it.
  // Plain variables, not a structured binding: C++17 does not let the lambda capture one.
  const EnergyStorageIf::Thevenin source = storage->thevenin();
  const Voltage open = source.open;
  const Resistance r = source.r;
  auto voltageAt = [&](Current net) { return open - net * r; };
  // A switching buck on a Thevenin source: the fixed point in closed form.
  if (const auto solved = m_regulator->inputCurrentOn(load, voltageAt(-sources), r)) {
    return settleRegulator(load, *solved, voltageAt(*solved - sources), sources);
  }
  Current in = load;
  Voltage vin = voltageAt(in - sources);
  try {
    for (int k = 0; k < 100; ++k) {
      const Current next = m_regulator->inputCurrent(load, vin);
      const bool converged = std::abs(in_A(next - in)) <= 1e-12 * std::abs(in_A(next)) + 1e-18;
      in = next;
      vin = voltageAt(in - sources);
      if (converged) break;
    }
  } catch (const std::domain_error& e) {
    // An overload, located like a load-time error at the part's rating (sim/power/README.md).
    const Time t = core::fromScTime(at);
    throw std::runtime_error(fmt::format("{}: at t = {:.9g} s ({:.6g} d): {}",
                                         m_regulator->spec().maxOutputAt, in_s(t), in_d(t),
                                         e.what()));
  }
  return settleRegulator(load, in, vin, sources);
}

Current PowerBus::settleRegulator(Current load, Current in, Voltage vin, Current sources) {
  const auto [out, passing, regulating] = m_regulator->pointAt(load, vin);
  constexpr std::size_t kPassThrough = 3;
  const bool boostPass = passing && !m_regulator->spec().stepsDownOnly();
  const std::size_t state = boostPass ? kPassThrough : regulating ? 0 : 1;
  m_ledger.setStateCurrent(m_regulatorId, state, in - load);
  m_ledger.setState(m_regulatorId, state);
  m_ledger.setPower(m_regulatorId, in * vin - load * out);
  m_loadVoltage = out;
  // The ledger's load total, summed as Ledger::current sums it (the parts in order, then the
  // regulator, attached after them), without a second pass.
  m_loadNow = load + (in - load);
  return in - sources;
}

void PowerBus::setState(ComponentId id, std::size_t state) {
  catchUp();
  setStateAt(sc_core::sc_time_stamp(), id, state);
  arm();
}

void PowerBus::setStateAt(const sc_core::sc_time& at, ComponentId id, std::size_t state) {
  if (m_cover && m_cover->resolved && id == m_cover->coveredId &&
      m_ledger.component(id).state == m_cover->coverState) {
    m_cover->requested = state;  // counted in the covering part's current until it stops
    return;
  }
  if (m_ledger.component(id).state == state) return;
  changeAt(at, [&] {
    m_ledger.setState(id, state);
    applyCover();
  });
}

void PowerBus::setStateCurrent(ComponentId id, std::size_t state, Current current) {
  change([&] {
    m_ledger.setStateCurrent(id, state, current);
    applyCover();
  });
}

void PowerBus::play(ComponentId id, const std::vector<TimedState>& phases) {
  if (phases.empty()) return;
  catchUp();
  auto it = std::find_if(m_playing.begin(), m_playing.end(),
                         [id](const Playing& p) { return p.id == id; });
  if (it == m_playing.end()) it = m_playing.insert(m_playing.end(), Playing{id, {}, 0});
  // Each phase starts where the one before ends on the kernel's clock, as successive waits
  // of the part's thread would put it.
  it->boundaries.clear();
  it->next = 0;
  sc_core::sc_time at = sc_core::sc_time_stamp();
  for (std::size_t k = 1; k < phases.size(); ++k) {
    at += phases[k - 1].span;
    it->boundaries.push_back({at, phases[k].state});
  }
  setStateAt(sc_core::sc_time_stamp(), id, phases.front().state);
  updateNextDue();
  arm();
}

void PowerBus::catchUp() {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (now < m_nextDue) return;
  for (;;) {
    // The earliest phase due (the first part's at equal instants).
    Playing* first = nullptr;
    for (auto& p : m_playing) {
      if (p.next < p.boundaries.size() && p.boundaries[p.next].at <= now &&
          (!first || p.boundaries[p.next].at < first->boundaries[first->next].at)) {
        first = &p;
      }
    }
    if (!first) break;
    const Boundary b = first->boundaries[first->next++];
    if (b.at < now) ++m_late;
    setStateAt(b.at, first->id, b.state);
  }
  updateNextDue();
}

void PowerBus::updateNextDue() {
  m_nextDue = sc_core::sc_max_time();
  for (const auto& p : m_playing) {
    if (p.next < p.boundaries.size()) m_nextDue = std::min(m_nextDue, p.boundaries[p.next].at);
  }
}

void PowerBus::arm() {
  if (m_nextDue == sc_core::sc_max_time()) return;  // no phase to come
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  std::optional<sc_core::sc_time> next, last;
  for (const auto& p : m_playing) {
    if (p.next == p.boundaries.size()) continue;
    const sc_core::sc_time first = p.boundaries[p.next].at;
    if (!next || first < *next) next = first;
    if (!last || p.boundaries.back().at > *last) last = p.boundaries.back().at;
  }
  if (!next) return;
  // A trace shows each phase at its instant; near the battery's limits a phase may be the
  // one that browns the node out, at its instant.
  if (!m_trace && m_ledger.loadsPowered() && storage->clearFor(*last - now, ceiling())) return;
  m_phaseEvent.notify(*next - now);
}

void PowerBus::onPhase() {
  // An error here (a regulator's overload) is not thrown through the kernel's method process:
  // kept, the run stopped, and rethrown by rethrowFailure() once sc_start has returned. Thrown
  // through the kernel it reaches the main stack with AddressSanitizer's picture of the stacks
  // stale (tools/sanitizers/README.md); this way it is an ordinary exception of the caller's.
  try {
    catchUp();
    arm();
  } catch (...) {
    if (!m_failure) m_failure = std::current_exception();
    sc_core::sc_stop();
  }
}

void PowerBus::rethrowFailure() const {
  if (m_failure) std::rethrow_exception(m_failure);
}

Current PowerBus::ceiling() const {
  Current load{};
  const auto& components = m_ledger.components();
  for (ComponentId id = 0; id < components.size(); ++id) {
    const auto& c = components[id];
    if (id == m_regulatorId && m_regulator) continue;
    if (c.internal || c.flow != Flow::Load) continue;
    Current most{};
    for (const auto& s : c.states) most = std::max(most, s.current);
    load += most;
  }
  if (!m_regulator) return load;
  // A converter's input current rises as its input voltage falls (its input power is held),
  // so the lowest voltage the node runs at bounds it; a pass-through state draws the load
  // itself. The margin of 2 covers efficiency tables not monotone in the input voltage: the
  // bound need not be tight, the battery is hours from its limits when it is used at all.
  const Voltage vmin = storage->brownOutVoltage();
  if (vmin <= Voltage()) return amperes(1e9);
  try {
    return 2.0 *
           std::max(load + m_regulator->spec().quiescent, m_regulator->inputCurrent(load, vmin));
  } catch (const std::domain_error&) {
    return amperes(1e9);  // an overload: never clear
  }
}

void PowerBus::applyCover() {
  if (!m_cover || !m_cover->resolved) return;
  auto& c = *m_cover;
  const bool busy = m_ledger.component(c.coveringId).current() > Current();
  const std::size_t now = m_ledger.component(c.coveredId).state;
  if (busy && now != c.coverState) {
    c.requested = now;
    m_ledger.setState(c.coveredId, c.coverState);
  } else if (!busy && now == c.coverState) {
    m_ledger.setState(c.coveredId, c.requested);
  }
}

void PowerBus::setLoadsPowered(bool powered) {
  catchUp();
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
  catchUp();
  m_ledger.advanceTo(core::simNow(), m_voltage, m_loadVoltage);
  storage->settleTo(sc_core::sc_time_stamp());
}

}  // namespace ej::power
