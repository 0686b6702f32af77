// PIR sensor: motion instants in, a held output and two power states out.
#include "sim/device/pir_sensor.h"

#include "sim/core/sim_time.h"

namespace ej::device {

PirParams PirParams::fromConfig(const core::Config& cfg) {
  PirParams p;
  p.quiescent = cfg.quantity<Current>("quiescent", core::Range::NonNegative);
  p.triggered = cfg.quantity<Current>("triggered", p.quiescent, core::Range::NonNegative);
  p.hold = cfg.quantity<Time>("hold", core::Range::Positive);
  return p;
}

PirSensor::PirSensor(sc_core::sc_module_name name, const PirParams& params,
                     std::unique_ptr<MotionSource> motion)
    : sc_module(name),
      power("power"),
      output("output"),
      m_params(params),
      m_motion(std::move(motion)) {
  SC_THREAD(run);
}

void PirSensor::end_of_elaboration() {
  m_id =
      power->attach(basename(), {{"idle", m_params.quiescent}, {"triggered", m_params.triggered}});
}

void PirSensor::waitUntil(Time t) {
  const sc_core::sc_time target = core::toScTime(t);
  if (target > sc_core::sc_time_stamp()) wait(target - sc_core::sc_time_stamp());
}

void PirSensor::run() {
  output.write(false);
  std::optional<Time> next = m_motion->next();
  while (next) {
    waitUntil(*next);
    ++m_motions;
    ++m_triggers;
    output.write(true);
    power->setState(m_id, kTriggered);
    Time holdEnd = *next + m_params.hold;
    next = m_motion->next();
    // Motion during the hold time retriggers it.
    while (next && *next < holdEnd) {
      waitUntil(*next);
      ++m_motions;
      holdEnd = *next + m_params.hold;
      next = m_motion->next();
    }
    waitUntil(holdEnd);
    output.write(false);
    power->setState(m_id, kIdle);
  }
}

}  // namespace ej::device
