// Solar harvester: one bus update per step while the panel gives current, none at night.
#include "sim/harvest/solar_harvester.h"

#include "sim/core/sim_time.h"

namespace ej::harvest {

SolarHarvesterParams SolarHarvesterParams::fromConfig(const core::Config& cfg) {
  SolarHarvesterParams p{solar::SolarHarvestParams::fromConfig(cfg), seconds(600)};
  p.step = cfg.quantity<Time>("step", p.step, core::Range::Positive);
  if (p.step > hours(1)) cfg.fail("step", "at most 1 h, or the day's curve is lost");
  return p;
}

SolarHarvester::SolarHarvester(sc_core::sc_module_name name, const SolarHarvesterParams& params,
                               double startEpochSeconds)
    : sc_module(name),
      power("power"),
      battery("battery"),
      m_params(params),
      m_chain(params.chain),
      m_startEpoch(startEpochSeconds) {
  SC_THREAD(run);
}

void SolarHarvester::end_of_elaboration() {
  m_id = power->attach(basename(), {{"night", Current()}, {"day", Current()}}, power::Flow::Source);
}

void SolarHarvester::run() {
  const double step_s = in_s(m_params.step);
  const double horizon_s = in_s(m_params.horizon);
  for (double k = 0; horizon_s <= 0 || k * step_s < horizon_s; k += 1) {
    const double mid_s = (k + 0.5) * step_s;
    // The battery's voltage now: settle it first, or the voltage would be that of its last
    // settled state, and depend on whether another process settled it at this instant.
    battery->settle();
    // The battery's cell temperature, held over the step like the charge current: the air
    // temperature at the step's midpoint (ignored unless it follows it, `temperature:
    // weather`). Before the voltage is read: a colder cell may hold less at its terminals.
    // The bus then works out its net current again at the new temperature (a regulator's
    // input current follows the battery's voltage), whatever else changed at this instant.
    const Temperature cell = m_chain.sky().at(m_startEpoch + mid_s).airTemperature;
    if (battery->setCellTemperature(cell)) power->refresh();
    // The charger's operating point: the battery's voltage under the net current just
    // before this instant's changes, so that a job or a radio exchange starting at the
    // same instant does not move it whether SystemC runs it before or after this step.
    // Outside the part's charge temperature range the charger (its thermistor input, as
    // JEITA-style charger ICs have) suspends charging: the panel's current is not taken.
    const Current charge =
        battery->chargeAllowedAt(cell)
            ? m_chain.chargeCurrent(m_startEpoch + mid_s, power->voltageBeforeNow())
            : Current();
    if (charge > Current()) {
      power->setStateCurrent(m_id, kDay, charge);
      power->setState(m_id, kDay);
    } else {
      power->setState(m_id, kNight);
    }
    wait(core::toScTime(seconds((k + 1) * step_s)) - sc_core::sc_time_stamp());
  }
}

}  // namespace ej::harvest
