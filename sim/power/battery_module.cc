// Battery channel: closed-form advance between events, exact empty detection.
#include "sim/power/battery_module.h"

#include <algorithm>

#include "sim/core/sim_time.h"

namespace ej::power {

BatteryModule::BatteryModule(sc_core::sc_module_name name, std::unique_ptr<BatteryModel> model)
    : sc_module(name), m_model(std::move(model)), m_minRemaining(m_model->remaining()) {
  SC_METHOD(onEmpty);
  sensitive << m_emptyEvent;
  dont_initialize();
}

void BatteryModule::settle() {
  const Time now = core::simNow();
  const Time dt = now - m_last;
  if (dt <= Time()) return;
  const auto step = m_model->advance(m_net, dt);
  m_totals.drawn += step.drawn;
  m_totals.accepted += step.accepted;
  m_totals.wasted += step.wasted;
  m_minRemaining = std::min(m_minRemaining, m_model->remaining());
  m_last = now;
}

void BatteryModule::setNetCurrent(Current net) {
  settle();
  m_net = net;
  scheduleEmpty();
}

void BatteryModule::scheduleEmpty() {
  m_emptyEvent.cancel();
  if (m_depletedAt) return;
  if (auto t = m_model->timeToEmpty(m_net)) m_emptyEvent.notify(core::toScTime(*t));
}

void BatteryModule::onEmpty() {
  settle();
  // The empty instant was rounded to the 1 ns time resolution: what is left must be less
  // than what the load draws in one resolution step, or the instant is not reached yet.
  const Charge oneStep = m_net * seconds(1e-9);
  if (m_model->remaining() > oneStep && !m_model->empty()) {
    scheduleEmpty();
    return;
  }
  m_depletedAt = core::simNow();
  m_depletedEvent.notify(sc_core::SC_ZERO_TIME);
}

}  // namespace ej::power
