// Constant harvester: two states, switched at the window's edges.
#include "sim/harvest/constant_harvester.h"

#include "sim/core/calendar.h"
#include "sim/core/sim_time.h"

namespace ej::harvest {

ConstantHarvesterParams ConstantHarvesterParams::fromConfig(const core::Config& cfg) {
  ConstantHarvesterParams p;
  p.current = cfg.quantity<Current>("current", core::Range::NonNegative);
  const auto start = core::parseTimeOfDay(cfg.text("start"));
  if (!start) cfg.fail("start", "expected a UTC time of day such as 10:30");
  p.start = *start;
  p.duration = cfg.quantity<Time>("duration", core::Range::NonNegative);
  if (p.duration > days(1)) cfg.fail("duration", "a daily window lasts at most 24 h");
  return p;
}

ConstantHarvester::ConstantHarvester(sc_core::sc_module_name name,
                                     const ConstantHarvesterParams& params, Time phase)
    : sc_module(name), power("power"), m_params(params), m_phase(phase) {
  SC_THREAD(run);
}

void ConstantHarvester::end_of_elaboration() {
  m_id = power->attach(basename(), {{"dark", Current()}, {"sun", m_params.current}},
                       power::Flow::Source);
}

void ConstantHarvester::run() {
  if (m_params.duration <= Time()) return;
  Time open = core::nextTimeOfDay(Time(), m_params.start, m_phase);
  // A window that opened before the run started and is still open.
  if (open - days(1) + m_params.duration > Time()) open -= days(1);
  for (;;) {
    if (open > core::simNow()) wait(core::toScTime(open - core::simNow()));
    power->setState(m_id, kSun);
    wait(core::toScTime(open + m_params.duration - core::simNow()));
    power->setState(m_id, kDark);
    open += days(1);
  }
}

}  // namespace ej::harvest
