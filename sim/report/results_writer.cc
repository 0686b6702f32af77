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
  const bool emptied = r.batteryEmptyAt.has_value();
  // Energy-neutral operation (Kansal et al., ACM TECS 6(4), 2007): over the run the harvest
  // covers the consumption, and the battery never ran empty on the way.
  const bool neutral = !emptied && harvestedTotal >= consumedTotal;
  json intervals = json::array();
  for (const auto& [start, end] : r.outages.listed) {
    intervals.push_back({{"start_days", in_d(start)}, {"end_days", in_d(end)}});
  }
  const json outages = {{"count", r.outages.count},
                        {"on_voltage", r.outages.onVoltage},
                        {"total_days", in_d(r.outages.total)},
                        {"longest_days", in_d(r.outages.longest)},
                        {"intervals", intervals}};
  json jobs = json::object();
  for (const auto& j : r.jobs) {
    jobs[j.name] = {{"triggers", j.triggers}, {"runs", j.runs}, {"merged", j.merged}};
  }
  json summary = {
      {"scenario", scenario.name},
      {"scenario_file", scenario.file.string()},
      {"start_utc", core::formatUtc(scenario.startEpochSeconds)},
      {"horizon_days", in_d(scenario.horizon)},
      {"simulated_days", in_d(r.simulated)},
      {"battery_life_days", emptied ? json(in_d(*r.batteryEmptyAt)) : json(nullptr)},
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
  } else {
    const double life = s["battery_life_days"].get<double>();
    out += fmt::format("  battery life: {:.4f} days ({:.2f} h)\n", life, life * 24);
  }
  // Without a harvester the first outage is the end of the run, not an outage to report.
  if (const auto n = s["outages"]["count"].get<long>(); n > 0 && d["harvested_mAh"] > 0) {
    out += fmt::format("  outages: {} ({:.2f} days dark in all, the longest {:.2f} days)\n", n,
                       s["outages"]["total_days"].get<double>(),
                       s["outages"]["longest_days"].get<double>());
  }
  if (s.contains("inference")) {
    for (const auto& i : s["inference"]) {
      const auto& acc = i["accuracy_int8"];
      out += fmt::format(
          "  inference  {} ({}): {:.0f} cycles, {:.2f} ms, {:.1f} uJ, int8 accuracy {}\n",
          i["model"].get<std::string>(), i["backend"].get<std::string>(), i["cycles"].get<double>(),
          i["latency_s"].get<double>() * 1e3, i["energy_per_inference_J"].get<double>() * 1e6,
          acc.is_number() ? fmt::format("{:.2f} %", acc.get<double>() * 100)
                          : std::string("not measured (no labelled test data)"));
    }
  }
  for (const auto& [name, c] : s["components"].items()) {
    std::string states;
    for (const auto& [state, v] : c["states"].items()) {
      if (!states.empty()) states += ", ";
      states += fmt::format("{} {:.3f}", state, v["charge_per_day_mAh"].get<double>());
    }
    out += fmt::format("  {:<10} {:10.3f} mAh/day ({}) [{}]\n", name,
                       c["charge_per_day_mAh"].get<double>(), states, c["flow"].get<std::string>());
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
