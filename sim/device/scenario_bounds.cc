// Event-count bounds of a scenario; see scenario_bounds.h.
#include "sim/device/scenario_bounds.h"

#include "sim/core/bounds.h"

namespace ej::device {

void checkScenarioBounds(const Scenario& s, const core::Config& cfg) {
  if (!s.timeseries) {
    // `output.timeseries: false`: no rows to bound.
  } else if (auto output = cfg.optionalChild("output")) {
    core::requirePeriodBound(*output, "timeseries_interval", s.timeseriesInterval, s.horizon,
                             core::kMaxTimeseriesRows, "rows");
  } else {
    core::requirePeriodBound(cfg, "horizon", s.timeseriesInterval, s.horizon,
                             core::kMaxTimeseriesRows, "hourly rows");
  }
  const auto node = cfg.child("node");
  const auto jobs = node.items("jobs");
  for (std::size_t i = 0; i < s.jobs.size() && i < jobs.size(); ++i) {
    if (s.jobs[i].trigger != JobParams::Trigger::Periodic) continue;
    core::requirePeriodBound(jobs[i], "every", s.jobs[i].period, s.horizon,
                             core::kMaxEventsPerSource, "runs");
  }
  if (auto pir = node.optionalChild("pir")) {
    const auto motion = pir->child("motion");
    if (auto poisson = motion.optionalChild("poisson")) {
      core::requireRateBound(*poisson, "rate", poisson->quantity<Frequency>("rate"), s.horizon,
                             core::kMaxEventsPerSource, "motion events");
    }
  }
  if (s.harvester) {
    if (const auto* solar = std::get_if<harvest::SolarHarvesterParams>(&*s.harvester)) {
      core::requirePeriodBound(node.child("harvester"), "step", solar->step, s.horizon,
                               core::kMaxEventsPerSource, "steps");
    }
  }
}

}  // namespace ej::device
