// summary.json / daily.csv / timeseries.csv (unless `output.timeseries: false`).
#include "sim/report/results_writer.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "sim/core/calendar.h"
#include "sim/core/io.h"
#include "sim/report/number_text.h"

namespace ej::report {
namespace fs = std::filesystem;

namespace {

// Daily figures: the mean over the run's complete UTC days; a run shorter than one complete
// day (a battery that empties within hours) gives its rate scaled to 24 h instead.
struct DailyMeans {
  std::size_t completeDays = 0;
  std::vector<std::vector<double>> state_mAh;  // [component][state] per day
  std::vector<double> component_J;             // per component per day
  double wasted_mAh = 0;
};

DailyMeans dailyMeans(const device::RunResult& r) {
  DailyMeans m;
  for (const auto& c : r.components) {
    m.state_mAh.emplace_back(c.states.size(), 0.0);
    m.component_J.push_back(0.0);
  }
  for (const auto& row : r.daily) {
    // Day lengths come from differences of double seconds: 1e-9 d is 86 us of slack.
    if (std::abs(row.length_d - 1.0) > 1e-9) continue;
    ++m.completeDays;
    for (std::size_t c = 0; c < row.state_mAh.size(); ++c) {
      for (std::size_t s = 0; s < row.state_mAh[c].size(); ++s) {
        m.state_mAh[c][s] += row.state_mAh[c][s];
      }
      m.component_J[c] += row.component_J[c];
    }
    m.wasted_mAh += row.wasted_mAh;
  }
  if (m.completeDays > 0) {
    const double n = static_cast<double>(m.completeDays);
    for (auto& c : m.state_mAh) {
      for (auto& v : c) v /= n;
    }
    for (auto& v : m.component_J) v /= n;
    m.wasted_mAh /= n;
    return m;
  }
  const double perDay = in_d(r.simulated) > 0 ? 1.0 / in_d(r.simulated) : 0.0;
  for (std::size_t c = 0; c < r.components.size(); ++c) {
    for (std::size_t s = 0; s < r.components[c].states.size(); ++s) {
      m.state_mAh[c][s] = in_mAh(r.components[c].states[s].charge) * perDay;
    }
    m.component_J[c] = in_J(r.components[c].energy()) * perDay;
  }
  m.wasted_mAh = in_mAh(r.batteryWasted) * perDay;
  return m;
}

core::ComponentResult componentResult(const power::Ledger::Component& component,
                                      const DailyMeans& means, std::size_t c, Time simulated) {
  core::ComponentResult out;
  out.flow = component.flow == power::Flow::Load ? "load" : "source";
  out.charge_mAh = in_mAh(component.charge());
  out.energy_J = in_J(component.energy());
  out.energy_per_day_J = means.component_J[c];
  for (std::size_t s = 0; s < component.states.size(); ++s) {
    const auto& state = component.states[s];
    out.charge_per_day_mAh += means.state_mAh[c][s];
    out.states[state.name] = {in_mA(state.current),
                              in_s(state.time),
                              in_s(simulated) > 0 ? in_s(state.time) / in_s(simulated) : 0.0,
                              in_mAh(state.charge),
                              in_J(state.energy),
                              means.state_mAh[c][s]};
  }
  return out;
}

core::OutageResult outageResult(const power::BatteryModule::Outages& o) {
  core::OutageResult out{o.count, o.onVoltage, in_d(o.total), in_d(o.longest), {}};
  for (const auto& [start, end] : o.listed) out.intervals.push_back({in_d(start), in_d(end)});
  return out;
}

// When the battery outlives the run: a projection from the net drain of the last complete
// year (or of the whole run, if shorter), marked as such. Charge-based: a brown-out on voltage
// may come earlier than the charge runs out.
void project(const device::RunResult& r, bool harvesting, core::RunSummary& s) {
  if (r.batteryEmptyAt) return;
  if (harvesting && s.daily.harvested_mAh >= s.daily.consumed_mAh) {
    s.projected_life_basis =
        "no projection: the harvest covers the consumption (mean over the run's complete days)";
    return;
  }
  if (r.daily.empty() || !(in_C(r.batteryCapacity) > 0)) return;
  const double capacity_mAh = in_mAh(r.batteryCapacity);
  std::size_t first = 0;
  double windowDays = 0;
  for (std::size_t i = r.daily.size(); i-- > 0;) {
    windowDays += r.daily[i].length_d;
    first = i;
    if (windowDays >= 365.0 - 1e-9) break;
  }
  const bool year = windowDays >= 365.0 - 1e-9;
  const double startSoc =
      first == 0 ? in_mAh(r.batteryInitial) / capacity_mAh : r.daily[first - 1].soc_end;
  const double drain_mAh_per_day = (startSoc - r.daily.back().soc_end) * capacity_mAh / windowDays;
  const std::string window = year ? "the last complete 365 days" : "the whole run";
  if (!(drain_mAh_per_day > 0)) {
    s.projected_life_basis =
        fmt::format("no projection: the battery gained charge over {}", window);
    return;
  }
  const double life = in_d(r.simulated) + in_mAh(r.batteryFinal) / drain_mAh_per_day;
  s.projected_life_days = life;
  s.projected_life_years = life / 365.25;
  s.projected_life_basis = fmt::format(
      "projection, not simulated: the charge left ({:.1f} mAh) at the net drain of {} ({:.4f} "
      "mAh/day, self-discharge included); a brown-out on voltage may come earlier",
      in_mAh(r.batteryFinal), window, drain_mAh_per_day);
}

core::MissedResult missedWork(const device::Scenario& scenario, const device::RunResult& r) {
  core::MissedResult m;
  for (std::size_t i = 0; i < r.jobs.size(); ++i) {
    const auto& j = r.jobs[i];
    m.job_runs += j.missed;
    m.inferences += j.missedInferences;
    m.reports += j.missedReports;
    if (i < scenario.jobs.size() &&
        scenario.jobs[i].trigger == device::JobParams::Trigger::Motion) {
      m.motion_events += j.missed;
    }
  }
  for (const auto& [name, radio] : r.radios)
    m.reports_dropped_duty_cycle += radio.dropped_duty_cycle;
  m.basis =
      "asked for while the node was browned out (not run); motion events: the motion-triggered "
      "jobs' missed runs; reports dropped by the LoRaWAN duty cycle counted apart";
  return m;
}

}  // namespace

core::RunSummary summarize(const device::Scenario& scenario, const device::RunResult& r) {
  const DailyMeans means = dailyMeans(r);
  core::RunSummary s;
  s.scenario = scenario.name;
  s.scenario_file = scenario.file.string();
  s.start_utc = core::formatUtc(scenario.startEpochSeconds);
  s.horizon_days = in_d(scenario.horizon);
  s.simulated_days = in_d(r.simulated);
  if (r.batteryEmptyAt) {
    s.battery_life_days = in_d(*r.batteryEmptyAt);
    s.battery_life_years = in_d(*r.batteryEmptyAt) / 365.25;
  }
  s.horizon_until_empty = scenario.untilEmpty;

  Charge consumedTotal{}, harvestedTotal{};
  for (std::size_t c = 0; c < r.components.size(); ++c) {
    const auto& component = r.components[c];
    auto result = componentResult(component, means, c, r.simulated);
    const bool load = result.isLoad();
    (load ? s.daily.consumed_mAh : s.daily.harvested_mAh) += result.charge_per_day_mAh;
    (load ? s.daily.consumed_J : s.daily.harvested_J) += result.energy_per_day_J;
    (load ? consumedTotal : harvestedTotal) += component.charge();
    s.components[component.name] = std::move(result);
  }
  for (const auto& c : r.components) {
    if (c.flow != power::Flow::Load) continue;
    s.components[c.name].share_of_consumed =
        in_C(consumedTotal) > 0 ? in_C(c.charge()) / in_C(consumedTotal) : 0.0;
  }
  s.daily.net_mAh = s.daily.harvested_mAh - s.daily.consumed_mAh;
  s.daily.wasted_mAh = means.wasted_mAh;
  s.daily.complete_days = means.completeDays;
  s.daily.basis = means.completeDays > 0 ? "mean over the complete UTC days of the run"
                                         : "the run's rate scaled to 24 h (no complete day)";
  // Energy-neutral operation (Kansal et al., ACM TECS 6(4), 2007): over the run the harvest
  // covers the consumption, and the battery never ran empty on the way.
  s.energy_neutral = !r.batteryEmptyAt && harvestedTotal >= consumedTotal;
  // Without a harvester (or with `horizon: until_empty`) the battery's end is the end of the
  // run, not an outage: it is reported under `end`.
  const bool harvesting = scenario.harvester && !scenario.untilEmpty;
  if (harvesting) s.outages = outageResult(r.outages);
  if (r.endCause && r.batteryEmptyAt) {
    s.end = core::EndResult{in_d(*r.batteryEmptyAt), r.endCause->what, in_V(r.endCause->limit),
                            in_V(r.endCause->battery), in_mA(r.endCause->current)};
  }
  s.missed = missedWork(scenario, r);
  project(r, harvesting, s);
  s.battery = {scenario.batteryModelName,
               in_mAh(r.batteryCapacity),
               in_mAh(r.batteryInitial),
               in_mAh(r.batteryFinal),
               in_mAh(r.batteryMinimum),
               in_V(r.brownOutVoltage),
               in_C(r.batteryFinal) / in_C(r.batteryCapacity),
               in_mAh(r.batteryDrawn),
               in_mAh(r.batteryAccepted),
               in_mAh(r.batteryWasted)};
  for (const auto& j : r.jobs) {
    s.jobs[j.name] = {j.triggers, j.runs, j.merged, j.missed, j.missedInferences, j.missedReports};
  }
  s.simulation = {r.events, r.deltaCycles, r.wallTime_s, r.nodesInKernel, "1 ns"};
  if (scenario.pir) s.pir = core::PirResult{r.pirMotions, r.pirTriggers};
  s.radios = r.radios;
  for (const auto& i : scenario.inferences) s.inference.push_back(i.result);
  s.basis = s.inference.empty()
                ? "modelled: every current is a figure from the scenario or its hw/ parts (each "
                  "with its source); no inference cost is counted in this scenario"
                : "modelled currents (scenario and hw/ parts, each with its source); inference "
                  "latency as in inference[].basis";
  return s;
}

std::string humanSummary(const core::RunSummary& s) {
  std::string out = fmt::format("{}: {:.3f} days simulated (horizon {:g} days)\n", s.scenario,
                                s.simulated_days, s.horizon_days);
  const auto& d = s.daily;
  out += fmt::format("  consumed   {:10.3f} mAh/day\n", d.consumed_mAh);
  out += fmt::format("  harvested  {:10.3f} mAh/day\n", d.harvested_mAh);
  out += fmt::format("  net        {:+10.3f} mAh/day   energy neutral: {}\n", d.net_mAh,
                     s.energy_neutral ? "yes" : "no");
  if (!s.battery_life_days) {
    out += "  battery life: the battery never emptied within the horizon\n";
    if (s.projected_life_days) {
      out += fmt::format("  projected life: {:.0f} days ({:.2f} years): {}\n",
                         *s.projected_life_days, *s.projected_life_years, s.projected_life_basis);
    }
  } else {
    const double life = *s.battery_life_days;
    out += fmt::format("  battery life: {:.4f} days ({:.2f} h, {:.3f} years)\n", life, life * 24,
                       life / 365.25);
  }
  if (const auto& e = s.end) {
    out += e->limit_V > 0
               ? fmt::format("  ended by: {} (battery {:.3f} V under {:.1f} mA, limit {:.3f} V)\n",
                             e->cause, e->battery_V, e->battery_current_mA, e->limit_V)
               : fmt::format("  ended by: {} (battery {:.3f} V under {:.1f} mA)\n", e->cause,
                             e->battery_V, e->battery_current_mA);
  }
  if (const auto& m = s.missed; m.job_runs + m.reports_dropped_duty_cycle > 0) {
    out += fmt::format(
        "  missed work: {} job runs in outages ({} motion events, {} inferences, {} reports), "
        "{} reports dropped by the duty cycle\n",
        m.job_runs, m.motion_events, m.inferences, m.reports, m.reports_dropped_duty_cycle);
  }
  // Without a harvester the first outage is the end of the run, not an outage to report.
  if (s.outages.count > 0 && d.harvested_mAh > 0) {
    out += fmt::format("  outages: {} ({:.2f} days dark in all, the longest {:.2f} days)\n",
                       s.outages.count, s.outages.total_days, s.outages.longest_days);
  }
  for (const auto& i : s.inference) {
    out +=
        fmt::format("  inference  {} ({}): {:.0f} cycles, {:.2f} ms, {:.1f} uJ, {}\n", i.model,
                    i.backend, i.cycles, i.latency_s * 1e3, i.energy_per_inference_J * 1e6,
                    i.accuracy_int8 ? fmt::format("int8 accuracy {:.2f} %", *i.accuracy_int8 * 100)
                                    : std::string("accuracy not measured (no labelled data)"));
  }
  for (const auto& [name, c] : s.components) {
    std::string states;
    for (const auto& [state, v] : c.states) {
      if (!states.empty()) states += ", ";
      states += fmt::format("{} {:.3f}", state, v.charge_per_day_mAh);
    }
    const std::string share =
        c.share_of_consumed ? fmt::format(" {:5.1f} %", *c.share_of_consumed * 100) : std::string();
    out += fmt::format("  {:<14} {:10.3f} mAh/day{} ({}) [{}]\n", name, c.charge_per_day_mAh, share,
                       states, c.flow);
  }
  return out;
}

namespace {
// SEP (none if '\0') then V as fmt's "{:.PRECISIONg}" prints it, appended to BUF.
void appendG(fmt::memory_buffer& buf, char sep, double v, int precision) {
  char text[kGeneralChars + 1];
  text[0] = sep;
  buf.append(text + (sep ? 0 : 1), writeGeneral(text + 1, v, precision));
}

// core::formatUtc (WITH_TIME) or core::formatUtcDate of EPOCH_S, appended to BUF without a
// string of its own.
void appendUtc(fmt::memory_buffer& buf, UtcWriter& utc, double epoch_s, bool withTime) {
  char text[32];
  if (const char* end = utc.write(text, epoch_s, withTime)) {
    buf.append(text, end);
    return;
  }
  const std::string other = withTime ? core::formatUtc(epoch_s) : core::formatUtcDate(epoch_s);
  buf.append(other.data(), other.data() + other.size());
}
}  // namespace

void writeResults(const fs::path& outDir, const device::Scenario& scenario,
                  const device::RunResult& r, const WriteOptions& options,
                  const std::function<void(const fs::path&)>& extra) {
  const nlohmann::json summary = summarize(scenario, r);
  core::writeFolderAtomically(
      outDir, {"run", scenario.file.string()},
      [&](const fs::path& dir) {
        core::writeFileChecked(dir / "summary.json", summary.dump(2) + "\n");

        // Both CSV files are formatted into one buffer (fmt::format_to: no string per field),
        // handed to the file every 64 kB. Sized once for that and a row more: the buffer never
        // grows, so its pages are written once (a first write of a page is a page fault).
        fmt::memory_buffer buf;
        constexpr std::size_t kFlushBytes = 1 << 16;
        buf.reserve(kFlushBytes + 4096);
        auto flushTo = [&buf](core::CheckedFile& file) {
          file.write(std::string_view(buf.data(), buf.size()));
          buf.clear();
        };
        auto out = std::back_inserter(buf);

        core::CheckedFile daily(dir / "daily.csv");
        UtcWriter dates;
        daily << "day,date,length_d,consumed_mAh,harvested_mAh,net_mAh,wasted_mAh,soc_end";
        for (const auto& c : r.components) daily << "," << c.name << "_mAh";
        for (const auto& j : r.jobs) daily << "," << j.name << "_missed";
        daily << "\n";
        for (std::size_t i = 0; i < r.daily.size(); ++i) {
          const auto& row = r.daily[i];
          const double consumed = row.flow_mAh(r.components, power::Flow::Load);
          const double harvested = row.flow_mAh(r.components, power::Flow::Source);
          fmt::format_to(out, FMT_COMPILE("{},"), i);
          appendUtc(buf, dates, scenario.startEpochSeconds + row.start_d * kSecondsPerDay, false);
          for (const double v : {row.length_d, consumed, harvested, harvested - consumed,
                                 row.wasted_mAh, row.soc_end}) {
            appendG(buf, ',', v, 9);
          }
          for (std::size_t c = 0; c < r.components.size(); ++c) {
            appendG(buf, ',', row.component_mAh(c), 9);
          }
          for (std::size_t j = 0; j < r.jobs.size(); ++j) {
            fmt::format_to(out, FMT_COMPILE(",{}"), j < row.missed.size() ? row.missed[j] : 0);
          }
          buf.push_back('\n');
          if (buf.size() >= kFlushBytes) flushTo(daily);
        }
        flushTo(daily);
        daily.close();

        if (scenario.timeseries) {
          core::CheckedFile series(dir / "timeseries.csv");
          UtcWriter times;
          series << "time_s,time_utc,state_of_charge,remaining_mAh,voltage_V,load_mA,harvest_mA\n";
          r.timeseries.forEach([&](const device::TimeseriesRow& row) {
            appendG(buf, '\0', row.time_s, 9);
            buf.push_back(',');
            appendUtc(buf, times, scenario.startEpochSeconds + row.time_s, true);
            appendG(buf, ',', row.state_of_charge, 9);
            appendG(buf, ',', row.remaining_mAh, 9);
            appendG(buf, ',', row.voltage_V, 6);
            appendG(buf, ',', row.load_mA, 9);
            appendG(buf, ',', row.harvest_mA, 9);
            buf.push_back('\n');
            if (buf.size() >= kFlushBytes) flushTo(series);
          });
          flushTo(series);
          series.close();
        }
        if (extra) extra(dir);
      },
      options.force);
}

}  // namespace ej::report
