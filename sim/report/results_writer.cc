// summary.json / daily.csv / timeseries.csv.
#include "sim/report/results_writer.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "sim/core/calendar.h"

namespace ej::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::ofstream create(const fs::path& file) {
  std::ofstream out(file);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot write", file.string()));
  return out;
}

}  // namespace

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

}  // namespace

json summarize(const device::Scenario& scenario, const device::RunResult& r) {
  const DailyMeans means = dailyMeans(r);
  double consumed_mAh = 0, harvested_mAh = 0, consumed_J = 0, harvested_J = 0;
  json components = json::object();
  for (std::size_t c = 0; c < r.components.size(); ++c) {
    const auto& component = r.components[c];
    const bool load = component.flow == power::Flow::Load;
    double perDay_mAh = 0;
    json states = json::object();
    for (std::size_t s = 0; s < component.states.size(); ++s) {
      const auto& state = component.states[s];
      perDay_mAh += means.state_mAh[c][s];
      states[state.name] = {
          {"current_mA", in_mA(state.current)},
          {"time_s", in_s(state.time)},
          {"time_fraction", in_s(r.simulated) > 0 ? in_s(state.time) / in_s(r.simulated) : 0.0},
          {"charge_mAh", in_mAh(state.charge)},
          {"energy_J", in_J(state.energy)},
          {"charge_per_day_mAh", means.state_mAh[c][s]}};
    }
    (load ? consumed_mAh : harvested_mAh) += perDay_mAh;
    (load ? consumed_J : harvested_J) += means.component_J[c];
    components[component.name] = {
        {"flow", load ? "load" : "source"},         {"charge_mAh", in_mAh(component.charge())},
        {"energy_J", in_J(component.energy())},     {"charge_per_day_mAh", perDay_mAh},
        {"energy_per_day_J", means.component_J[c]}, {"states", states}};
  }
  Charge consumedTotal{}, harvestedTotal{};
  for (const auto& c : r.components) {
    (c.flow == power::Flow::Load ? consumedTotal : harvestedTotal) += c.charge();
  }
  // Each load's share of all the charge the loads took (self-discharge and the converter's
  // loss included: they are lines of the ledger like the parts).
  for (const auto& c : r.components) {
    if (c.flow != power::Flow::Load) continue;
    components[c.name]["share_of_consumed"] =
        in_C(consumedTotal) > 0 ? in_C(c.charge()) / in_C(consumedTotal) : 0.0;
  }
  const bool emptied = r.batteryEmptyAt.has_value();
  // Energy-neutral operation (Kansal et al., ACM TECS 6(4), 2007): over the run the harvest
  // covers the consumption, and the battery never ran empty on the way.
  const bool neutral = !emptied && harvestedTotal >= consumedTotal;
  json intervals = json::array();
  for (const auto& [start, end] : r.outages.listed) {
    intervals.push_back({{"start_days", in_d(start)}, {"end_days", in_d(end)}});
  }
  // Without a harvester (or with `horizon: until_empty`) the battery's end is the end of
  // the run, not an outage: it is reported under `end`.
  const bool harvesting = (scenario.harvester || scenario.solar) && !scenario.untilEmpty;
  const json outages = harvesting ? json{{"count", r.outages.count},
                                         {"on_voltage", r.outages.onVoltage},
                                         {"total_days", in_d(r.outages.total)},
                                         {"longest_days", in_d(r.outages.longest)},
                                         {"intervals", intervals}}
                                  : json{{"count", 0},
                                         {"on_voltage", 0},
                                         {"total_days", 0.0},
                                         {"longest_days", 0.0},
                                         {"intervals", json::array()}};
  json jobs = json::object();
  std::uint64_t missedRuns = 0, missedInferences = 0, missedReports = 0, missedMotion = 0;
  for (std::size_t i = 0; i < r.jobs.size(); ++i) {
    const auto& j = r.jobs[i];
    jobs[j.name] = {{"triggers", j.triggers},
                    {"runs", j.runs},
                    {"merged", j.merged},
                    {"missed", j.missed},
                    {"missed_inferences", j.missedInferences},
                    {"missed_reports", j.missedReports}};
    missedRuns += j.missed;
    missedInferences += j.missedInferences;
    missedReports += j.missedReports;
    if (i < scenario.jobs.size() &&
        scenario.jobs[i].trigger == device::JobParams::Trigger::Motion) {
      missedMotion += j.missed;
    }
  }
  std::uint64_t droppedDutyCycle = 0;
  for (const auto& [name, radio] : r.radios.items()) {
    droppedDutyCycle += radio.value("dropped_duty_cycle", std::uint64_t{0});
  }
  const json missed = {
      {"job_runs", missedRuns},
      {"motion_events", missedMotion},
      {"inferences", missedInferences},
      {"reports", missedReports},
      {"reports_dropped_duty_cycle", droppedDutyCycle},
      {"basis",
       "asked for while the node was browned out (not run); motion events: the motion-triggered "
       "jobs' missed runs; reports dropped by the LoRaWAN duty cycle counted apart"}};
  // The end of the node's power, and what caused it.
  json end = nullptr;
  if (r.endCause && emptied) {
    end = {{"at_days", in_d(*r.batteryEmptyAt)},
           {"cause", r.endCause->what},
           {"limit_V", in_V(r.endCause->limit)},
           {"battery_V", in_V(r.endCause->battery)},
           {"battery_current_mA", in_mA(r.endCause->current)}};
  }
  // When the battery outlives the run: a projection from the net drain of the last complete
  // year (or of the whole run, if shorter), marked as such. Charge-based: a brown-out on
  // voltage may come earlier than the charge runs out.
  json projected = nullptr, projectedYears = nullptr;
  std::string projectedBasis;
  if (!emptied && harvesting && harvested_mAh >= consumed_mAh) {
    projectedBasis =
        "no projection: the harvest covers the consumption (mean over the run's complete days)";
  } else if (!emptied && !r.daily.empty() && in_C(r.batteryCapacity) > 0) {
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
    const double drain_mAh_per_day =
        (startSoc - r.daily.back().soc_end) * capacity_mAh / windowDays;
    const std::string window = year ? "the last complete 365 days" : "the whole run";
    if (drain_mAh_per_day > 0) {
      const double life = in_d(r.simulated) + in_mAh(r.batteryFinal) / drain_mAh_per_day;
      projected = life;
      projectedYears = life / 365.25;
      projectedBasis = fmt::format(
          "projection, not simulated: the charge left ({:.1f} mAh) at the net drain of {} "
          "({:.4f} mAh/day, self-discharge included); a brown-out on voltage may come earlier",
          in_mAh(r.batteryFinal), window, drain_mAh_per_day);
    } else {
      projectedBasis = fmt::format("no projection: the battery gained charge over {}", window);
    }
  }
  json summary = {
      {"scenario", scenario.name},
      {"scenario_file", scenario.file.string()},
      {"start_utc", core::formatUtc(scenario.startEpochSeconds)},
      {"horizon_days", in_d(scenario.horizon)},
      {"simulated_days", in_d(r.simulated)},
      {"battery_life_days", emptied ? json(in_d(*r.batteryEmptyAt)) : json(nullptr)},
      {"battery_life_years", emptied ? json(in_d(*r.batteryEmptyAt) / 365.25) : json(nullptr)},
      {"projected_life_days", projected},
      {"projected_life_years", projectedYears},
      {"projected_life_basis", projectedBasis},
      {"horizon_until_empty", scenario.untilEmpty},
      {"end", end},
      {"missed", missed},
      {"energy_neutral", neutral},
      {"outages", outages},
      {"daily",
       {{"consumed_mAh", consumed_mAh},
        {"harvested_mAh", harvested_mAh},
        {"net_mAh", harvested_mAh - consumed_mAh},
        {"wasted_mAh", means.wasted_mAh},
        {"consumed_J", consumed_J},
        {"harvested_J", harvested_J},
        {"complete_days", means.completeDays},
        {"basis", means.completeDays > 0 ? "mean over the complete UTC days of the run"
                                         : "the run's rate scaled to 24 h (no complete day)"}}},
      {"components", components},
      {"battery",
       {{"model", scenario.batteryModelName},
        {"capacity_mAh", in_mAh(r.batteryCapacity)},
        {"initial_mAh", in_mAh(r.batteryInitial)},
        {"final_mAh", in_mAh(r.batteryFinal)},
        {"minimum_mAh", in_mAh(r.batteryMinimum)},
        {"brown_out_voltage_V", in_V(r.brownOutVoltage)},
        {"final_soc", in_C(r.batteryFinal) / in_C(r.batteryCapacity)},
        {"drawn_mAh", in_mAh(r.batteryDrawn)},
        {"accepted_mAh", in_mAh(r.batteryAccepted)},
        {"wasted_mAh", in_mAh(r.batteryWasted)}}},
      {"jobs", jobs},
      {"simulation",
       {{"events", r.events},
        {"delta_cycles", r.deltaCycles},
        {"wall_time_s", r.wallTime_s},
        {"nodes_in_kernel", r.nodesInKernel},
        {"time_resolution", "1 ns"}}},
      {"basis",
       "modelled: every current is a figure from the scenario or its hw/ parts (each with its "
       "source); no inference cost is counted in this scenario"},
  };
  if (scenario.pir) summary["pir"] = {{"motions", r.pirMotions}, {"triggers", r.pirTriggers}};
  if (!r.radios.empty()) summary["radios"] = r.radios;
  if (!scenario.inferences.empty()) {
    summary["inference"] = scenario.inferences;
    summary["basis"] =
        "modelled currents (scenario and hw/ parts, each with its source); inference latency "
        "as in inference[].basis";
    for (auto& i : summary["inference"]) i.erase("key");
  }
  return summary;
}

std::string humanSummary(const json& s) {
  std::string out = fmt::format("{}: {:.3f} days simulated (horizon {:g} days)\n",
                                s["scenario"].get<std::string>(), s["simulated_days"].get<double>(),
                                s["horizon_days"].get<double>());
  const auto& d = s["daily"];
  out += fmt::format("  consumed   {:10.3f} mAh/day\n", d["consumed_mAh"].get<double>());
  out += fmt::format("  harvested  {:10.3f} mAh/day\n", d["harvested_mAh"].get<double>());
  out += fmt::format("  net        {:+10.3f} mAh/day   energy neutral: {}\n",
                     d["net_mAh"].get<double>(), s["energy_neutral"].get<bool>() ? "yes" : "no");
  if (s["battery_life_days"].is_null()) {
    out += "  battery life: the battery never emptied within the horizon\n";
    if (s.contains("projected_life_days") && !s["projected_life_days"].is_null()) {
      out += fmt::format("  projected life: {:.0f} days ({:.2f} years): {}\n",
                         s["projected_life_days"].get<double>(),
                         s["projected_life_years"].get<double>(),
                         s["projected_life_basis"].get<std::string>());
    }
  } else {
    const double life = s["battery_life_days"].get<double>();
    out += fmt::format("  battery life: {:.4f} days ({:.2f} h, {:.3f} years)\n", life, life * 24,
                       life / 365.25);
  }
  if (s.contains("end") && !s["end"].is_null()) {
    const auto& e = s["end"];
    if (e["limit_V"].get<double>() > 0) {
      out += fmt::format("  ended by: {} (battery {:.3f} V under {:.1f} mA, limit {:.3f} V)\n",
                         e["cause"].get<std::string>(), e["battery_V"].get<double>(),
                         e["battery_current_mA"].get<double>(), e["limit_V"].get<double>());
    } else {
      out += fmt::format("  ended by: {} (battery {:.3f} V under {:.1f} mA)\n",
                         e["cause"].get<std::string>(), e["battery_V"].get<double>(),
                         e["battery_current_mA"].get<double>());
    }
  }
  if (s.contains("missed") &&
      s["missed"]["job_runs"].get<std::uint64_t>() +
              s["missed"]["reports_dropped_duty_cycle"].get<std::uint64_t>() >
          0) {
    const auto& m = s["missed"];
    out += fmt::format(
        "  missed work: {} job runs in outages ({} motion events, {} inferences, {} reports), "
        "{} reports dropped by the duty cycle\n",
        m["job_runs"].get<std::uint64_t>(), m["motion_events"].get<std::uint64_t>(),
        m["inferences"].get<std::uint64_t>(), m["reports"].get<std::uint64_t>(),
        m["reports_dropped_duty_cycle"].get<std::uint64_t>());
  }
  // Without a harvester the first outage is the end of the run, not an outage to report.
  if (const auto n = s["outages"]["count"].get<long>(); n > 0 && d["harvested_mAh"] > 0) {
    out += fmt::format("  outages: {} ({:.2f} days dark in all, the longest {:.2f} days)\n", n,
                       s["outages"]["total_days"].get<double>(),
                       s["outages"]["longest_days"].get<double>());
  }
  if (s.contains("inference")) {
    for (const auto& i : s["inference"]) {
      out += fmt::format(
          "  inference  {} ({}): {:.0f} cycles, {:.2f} ms, {:.1f} uJ, int8 accuracy {:.2f} %\n",
          i["model"].get<std::string>(), i["backend"].get<std::string>(), i["cycles"].get<double>(),
          i["latency_s"].get<double>() * 1e3, i["energy_per_inference_J"].get<double>() * 1e6,
          i["accuracy_int8"].get<double>() * 100);
    }
  }
  for (const auto& [name, c] : s["components"].items()) {
    std::string states;
    for (const auto& [state, v] : c["states"].items()) {
      if (!states.empty()) states += ", ";
      states += fmt::format("{} {:.3f}", state, v["charge_per_day_mAh"].get<double>());
    }
    const std::string share =
        c.contains("share_of_consumed")
            ? fmt::format(" {:5.1f} %", c["share_of_consumed"].get<double>() * 100)
            : std::string();
    out += fmt::format("  {:<14} {:10.3f} mAh/day{} ({}) [{}]\n", name,
                       c["charge_per_day_mAh"].get<double>(), share, states,
                       c["flow"].get<std::string>());
  }
  return out;
}

void writeFolderAtomically(const fs::path& dir, const std::function<void(const fs::path&)>& fill) {
  const fs::path target = fs::absolute(dir).lexically_normal();
  const fs::path parent = target.parent_path();
  fs::create_directories(parent);
  const fs::path temp = parent / fmt::format(".{}.tmp-{}", target.filename().string(), getpid());
  fs::remove_all(temp);
  fs::create_directory(temp);
  try {
    fill(temp);
    fs::remove_all(target);
    fs::rename(temp, target);
  } catch (...) {
    fs::remove_all(temp);
    throw;
  }
}

void writeResults(const fs::path& outDir, const device::Scenario& scenario,
                  const device::RunResult& r, const std::function<void(const fs::path&)>& extra) {
  writeFolderAtomically(outDir, [&](const fs::path& dir) {
    create(dir / "summary.json") << summarize(scenario, r).dump(2) << "\n";

    auto daily = create(dir / "daily.csv");
    daily << "day,date,length_d,consumed_mAh,harvested_mAh,net_mAh,wasted_mAh,soc_end";
    for (const auto& c : r.components) daily << "," << c.name << "_mAh";
    for (const auto& j : r.jobs) daily << "," << j.name << "_missed";
    daily << "\n";
    for (std::size_t i = 0; i < r.daily.size(); ++i) {
      const auto& row = r.daily[i];
      const double consumed = row.flow_mAh(r.components, power::Flow::Load);
      const double harvested = row.flow_mAh(r.components, power::Flow::Source);
      daily << fmt::format(
          "{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g}", i,
          core::formatUtcDate(scenario.startEpochSeconds + row.start_d * kSecondsPerDay),
          row.length_d, consumed, harvested, harvested - consumed, row.wasted_mAh, row.soc_end);
      for (std::size_t c = 0; c < r.components.size(); ++c) {
        daily << fmt::format(",{:.9g}", row.component_mAh(c));
      }
      for (std::size_t j = 0; j < r.jobs.size(); ++j) {
        daily << "," << (j < row.missed.size() ? row.missed[j] : 0);
      }
      daily << "\n";
    }

    auto series = create(dir / "timeseries.csv");
    series << "time_s,time_utc,state_of_charge,remaining_mAh,voltage_V,load_mA,harvest_mA\n";
    for (const auto& row : r.timeseries) {
      series << fmt::format("{:.9g},{},{:.9g},{:.9g},{:.6g},{:.9g},{:.9g}\n", row.time_s,
                            core::formatUtc(scenario.startEpochSeconds + row.time_s),
                            row.state_of_charge, row.remaining_mAh, row.voltage_V, row.load_mA,
                            row.harvest_mA);
    }
    daily.close();
    series.close();
    if (extra) extra(dir);
  });
}

}  // namespace ej::report
