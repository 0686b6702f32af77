// Solar harvester: one bus update per step while the panel gives current, none at night.
#include "sim/harvest/solar_harvester.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "sim/core/sim_time.h"
#include "sim/harvest/solar/civil_date.h"
#include "sim/harvest/solar/solar_position.h"

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

const solar::SunDay& SolarHarvester::sunDay(double dayStart) const {
  // Three days in use at a time (yesterday, today, tomorrow): drop the older ones.
  while (!m_days.empty() && m_days.begin()->first < dayStart - 2 * kSecondsPerDay) {
    m_days.erase(m_days.begin());
  }
  auto it = m_days.find(dayStart);
  if (it == m_days.end()) {
    it = m_days.emplace(dayStart, m_chain.sky().sunDay(dayStart)).first;
  }
  return it->second;
}

double SolarHarvester::nextStep(double k, Current charge) const {
  const double step_s = in_s(m_params.step);
  const double horizon_s = in_s(m_params.horizon);
  const double next = k + 1;
  // Only a night step of a modelled sky: a trace may give light or a new air temperature
  // at any hour, so it keeps stepping.
  // Nor while the loads are off (brown-out): the emptied cell sits at its model's edge,
  // where one long advance and several short ones differ (the clamp at empty).
  if (!m_params.skipNights || charge > Current() || !power->loadsPowered() ||
      m_params.chain.weather.kind == solar::WeatherParams::Kind::Trace) {
    return next;
  }
  const double mid = m_startEpoch + (k + 0.5) * step_s;
  const solar::Sky::State& now = m_chain.sky().at(mid);
  if (now.sun.elevation.value() > 0) return next;  // e.g. a panel facing away from the sun
  // The next sunrise after MID (the sun's centre 0.833 deg below the horizon, earlier than
  // the apparent elevation 0 below which the clear sky gives nothing, haurwitzGhi), with a
  // margin for the events' approximations (NOAA's iteration, the refraction): MID must lie
  // outside every day's [sunrise - margin, sunset + margin]. None near a polar day or night,
  // or a UTC day whose sunset comes before its sunrise: keep stepping there.
  const double day = std::floor(mid / kSecondsPerDay) * kSecondsPerDay;
  std::optional<double> sunrise;
  for (int d = -1; d <= 1; ++d) {
    const solar::SunDay& sd = sunDay(day + d * kSecondsPerDay);
    if (!sd.sunrise_epoch || !sd.sunset_epoch || *sd.sunset_epoch < *sd.sunrise_epoch) {
      return next;
    }
    const double up = *sd.sunrise_epoch - kNightMargin_s;
    if (mid >= up && mid <= *sd.sunset_epoch + kNightMargin_s) return next;
    if (up > mid && !sunrise) sunrise = *sd.sunrise_epoch;
  }
  if (!sunrise) return next;
  const double wake = *sunrise - kNightMargin_s - m_startEpoch;
  double target = std::max(next, std::ceil(wake / step_s - 0.5));
  if (horizon_s > 0) target = std::min(target, std::ceil(horizon_s / step_s));
  // The air temperature of a modelled sky is the month's: a skipped step must not cross into
  // another month, where it would have set the cell's temperature.
  if (target > next &&
      solar::civilOf(m_startEpoch + (target - 0.5) * step_s).month != solar::civilOf(mid).month) {
    return next;
  }
  return target;
}

void SolarHarvester::run() {
  const double step_s = in_s(m_params.step);
  const double horizon_s = in_s(m_params.horizon);
  for (double k = 0; horizon_s <= 0 || k * step_s < horizon_s;) {
    ++m_wakeups;
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
    k = nextStep(k, charge);
    wait(core::toScTime(seconds(k * step_s)) - sc_core::sc_time_stamp());
  }
}

}  // namespace ej::harvest
