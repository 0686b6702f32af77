// Battery channel: closed-form advance between events, exact empty, brown-out and restart
// instants where the model gives them in closed form.
#include "sim/power/battery_module.h"

#include <algorithm>

#include "sim/core/sim_time.h"

namespace ej::power {

BatteryModule::BatteryModule(sc_core::sc_module_name name, std::unique_ptr<BatteryModel> model,
                             Ratio restartSoc)
    : sc_module(name),
      m_model(std::move(model)),
      m_restartSoc(restartSoc),
      m_brownOutVoltage(m_model->cutoffVoltage()),
      m_minRemaining(m_model->remaining()) {
  SC_METHOD(onEmpty);
  sensitive << m_emptyEvent;
  dont_initialize();
  SC_METHOD(look);
  sensitive << m_lookEvent;
  dont_initialize();
  SC_METHOD(onRecharged);
  sensitive << m_rechargedEvent;
  dont_initialize();
}

void BatteryModule::settle() {
  if (m_catchUp) m_catchUp();
  settleTo(sc_core::sc_time_stamp());
}

void BatteryModule::settleTo(const sc_core::sc_time& at) {
  const Time now = core::fromScTime(at);
  const Time dt = now - m_last;
  if (dt <= Time()) return;
  const auto step = m_model->advance(m_net, dt);
  m_totals.drawn += step.drawn;
  m_totals.accepted += step.accepted;
  m_totals.wasted += step.wasted;
  m_minRemaining = std::min(m_minRemaining, m_model->remaining());
  m_last = now;
  checkRecharged();
}

void BatteryModule::setNetCurrent(Current net, const sc_core::sc_time& at) {
  settleTo(at);
  const Time now = core::fromScTime(at);
  if (now != m_lastChange) m_settleDeltas = 0;
  m_lastChange = now;
  m_net = net;
  schedule(at);
}

bool BatteryModule::clearFor(const sc_core::sc_time& window, Current ceiling) const {
  if (m_inOutage) return false;
  // The voltage under a smaller current is higher and its threshold lower, so a bound at the
  // ceiling bounds every current up to it; so does one that takes the ceiling since the
  // model's state was last brought up to date (m_last), a drain at least the real one.
  const Voltage vmin = threshold(ceiling);
  const Time since = core::simNow() - m_last;
  std::optional<Time> bound;
  if (const auto mark = m_model->mark()) {
    bound = m_model->lowerBoundFrom(*mark, since, vmin, ceiling);
  } else if (auto t = m_model->timeToEmptyOrVoltage(vmin, ceiling)) {
    bound = *t - since;
  }
  return !bound || *bound > core::fromScTime(window) + kLookAhead;
}

bool BatteryModule::setCellTemperature(Temperature t) {
  if (!m_model->followsTemperature()) return false;
  settle();
  if (!m_model->setCellTemperature(t)) return false;
  m_clearUpTo.reset();  // another capacity and resistance: the bounds are taken again
  m_minRemaining = std::min(m_minRemaining, m_model->remaining());
  checkRecharged();  // warmer: the charge given back may reach the restart state of charge
  schedule(sc_core::sc_time_stamp());
  return true;
}

namespace {
// AT + DT on the kernel's clock, never past its end; notified from now (AT <= now).
void notifyAt(sc_core::sc_event& event, const sc_core::sc_time& at, Time dt) {
  const sc_core::sc_time d = core::toScTime(dt);
  const sc_core::sc_time room = sc_core::sc_max_time() - at;
  const sc_core::sc_time when = at + (d < room ? d : room);
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  event.notify(when > now ? when - now : sc_core::SC_ZERO_TIME);
}
}  // namespace

void BatteryModule::schedule(const sc_core::sc_time& at) {
  if (!m_inOutage) {
    // Far from empty (most changes of current): a closed-form time before which the battery
    // cannot empty or brown out; look() looks again then. The bound is taken under the
    // largest net current so far, which bounds the drain of every change to come that stays
    // within it: those changes keep the pending look, with no new bound and no new entry in
    // SystemC's event queue (a re-notified event leaves its cancelled entry there until its
    // instant, often years away). Then under this change's current, and the instant itself, a
    // root find, only once that bound is near, from this change's state (m_mark), so that it
    // is the same instant to the bit.
    m_mark = m_model->mark();
    m_markAt = at;
    if (m_mark) {
      if (m_clearUpTo && m_net <= *m_clearUpTo) return;
      m_netMost = std::max(m_netMost, m_net);
      if (armLook(Time(), m_netMost, at) || armLook(Time(), m_net, at)) return;
    }
    cancelEmpty();
    if (auto t = m_model->timeToEmptyOrVoltage(threshold(m_net), m_net)) {
      notifyAt(m_emptyEvent, at, *t);
    }
    return;
  }
  cancelEmpty();
  m_rechargedEvent.cancel();
  if (auto t = m_model->timeToRecharge(m_restartSoc, m_net)) notifyAt(m_rechargedEvent, at, *t);
}

bool BatteryModule::armLook(Time after, Current upTo, const sc_core::sc_time& at) {
  // A bound under UPTO bounds every smaller current: the voltage under it is higher, its
  // threshold lower, and less charge is drawn.
  const auto bound = m_model->lowerBoundFrom(*m_mark, after, threshold(upTo), upTo);
  if (bound && *bound <= kLookAhead) return false;
  m_emptyEvent.cancel();
  m_clearUpTo = upTo;
  if (!bound) {
    m_lookEvent.cancel();
    m_lookAt.reset();
    return true;
  }
  // A pending look no later than the bound is kept: early is harmless (a look changes no
  // state).
  const Time when = core::fromScTime(at) + after + *bound;
  if (m_lookAt && *m_lookAt <= when) return true;
  notifyAt(m_lookEvent, at, after + *bound);
  m_lookAt = when;
  ++m_looksArmed;
  return true;
}

void BatteryModule::cancelEmpty() {
  m_emptyEvent.cancel();
  m_lookEvent.cancel();
  m_lookAt.reset();
  m_clearUpTo.reset();
}

void BatteryModule::look() {
  m_lookAt.reset();
  m_clearUpTo.reset();
  if (m_inOutage || !m_mark) return;
  // The state now is the mark's, drained by m_net since: the bounds take it from there.
  const Time after = core::simNow() - core::fromScTime(m_markAt);
  if (armLook(after, m_netMost, m_markAt) || armLook(after, m_net, m_markAt)) return;
  // Near: the instant, found from the last change's state as schedule() would have.
  const auto t = m_model->timeToEmptyOrVoltageFrom(*m_mark, threshold(m_net), m_net);
  if (!t) return;
  const sc_core::sc_time d = core::toScTime(*t);
  const sc_core::sc_time room = sc_core::sc_max_time() - m_markAt;
  const sc_core::sc_time at = m_markAt + (d < room ? d : room);
  if (at > sc_core::sc_time_stamp()) {
    m_emptyEvent.notify(at - sc_core::sc_time_stamp());
  } else {
    onEmpty();  // the instant is now
  }
}

void BatteryModule::onEmpty() {
  settle();
  // The empty instant was rounded to the 1 ns time resolution: what is left must be less
  // than what the load draws in one resolution step, or the instant is not reached yet.
  const Charge oneStep = m_net * seconds(1e-9);
  const bool emptied = m_model->remaining() <= oneStep || m_model->empty();
  const bool sagged = !emptied && belowBrownOut(m_net);
  if (!emptied && !sagged) {
    schedule(sc_core::sc_time_stamp());
    return;
  }
  // A sag on a load step is judged on the instant's settled load: another change at the
  // same instant (the MCU going idle as the sun sets) may lift it again, and SystemC's
  // order among same-instant events must not decide (core::kSameInstantDeltas).
  if (sagged && core::simNow() == m_lastChange && m_settleDeltas <= core::kSameInstantDeltas) {
    ++m_settleDeltas;
    m_emptyEvent.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  m_brownOutCurrent.reset();
  if (sagged) {
    m_brownOutCurrent = m_net;
    ++m_outages.onVoltage;
  }
  if (!m_firstCause) {
    // A current limit has no voltage threshold: its limit is reported as zero.
    const Voltage limit = threshold(m_net) < volts(1e8) ? threshold(m_net) : Voltage();
    m_firstCause = sagged
                       ? Cause{bindingLimit(m_net), limit, m_model->terminalVoltage(m_net), m_net}
                       : Cause{"battery empty", Voltage(), m_model->terminalVoltage(m_net), m_net};
  }
  m_inOutage = true;
  m_outageStart = core::simNow();
  ++m_outages.count;
  if (!m_outages.first) m_outages.first = m_outageStart;
  m_depletedEvent.notify(sc_core::SC_ZERO_TIME);
}

bool BatteryModule::belowBrownOut(Current net) const {
  const auto t = m_model->timeToVoltage(threshold(net), net);
  return t && *t <= seconds(1e-9);
}

Voltage BatteryModule::threshold(Current net) const {
  const Current load = std::max(net, Current());
  Voltage v = m_brownOutVoltage;
  for (const auto& l : m_limits) {
    // Over a current limit no voltage will do: a threshold no battery reaches.
    if (l.maxCurrent && load > *l.maxCurrent) return volts(1e9);
    v = std::max(v, l.voltage + load * l.follow);
  }
  return v;
}

std::string BatteryModule::bindingLimit(Current net) const {
  const Current load = std::max(net, Current());
  std::string what = "battery cutoff_voltage";
  Voltage v = m_brownOutVoltage;
  for (const auto& l : m_limits) {
    if (l.maxCurrent && load > *l.maxCurrent) return l.what;
    if (l.voltage + load * l.follow > v) {
      v = l.voltage + load * l.follow;
      what = l.what;
    }
  }
  return what;
}

void BatteryModule::onRecharged() { settle(); }

// Models without a closed-form recharge time are checked at every settle (each bus change
// and each probe sample): the restart is then late by at most the time to the next event.
// After a brown-out on voltage the restart also waits until the battery holds the
// brown-out voltage, plus 1 mV, under the current that browned it out: otherwise a battery
// that sagged above the restart state of charge would switch on and off at one instant.
// (The 1 mV is a numerical hysteresis; real UVLO and brown-out detectors have more.)
void BatteryModule::checkRecharged() {
  // 1e-12 of a state of charge: the rounding of the scheduled instant to 1 ns.
  if (!m_inOutage || m_model->stateOfCharge().value() < m_restartSoc.value() - 1e-12) return;
  if (m_brownOutCurrent) {
    const Voltage restart = std::max(threshold(*m_brownOutCurrent) + volts(1e-3), m_restartVoltage);
    const auto t = m_model->timeToVoltage(restart, *m_brownOutCurrent);
    if (t && *t <= Time()) return;
  }
  endOutage();
  m_restoredEvent.notify(sc_core::SC_ZERO_TIME);
}

void BatteryModule::endOutage() {
  m_inOutage = false;
  const Time end = core::simNow();
  const Time length = end - m_outageStart;
  m_outages.total += length;
  m_outages.longest = std::max(m_outages.longest, length);
  if (m_outages.listed.size() < Outages::kListed) m_outages.listed.emplace_back(m_outageStart, end);
}

void BatteryModule::closeOpenOutage() {
  if (m_inOutage) endOutage();
}

}  // namespace ej::power
