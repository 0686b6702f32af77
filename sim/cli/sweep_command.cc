// `edgejoule sweep SCENARIO --set key=v1,v2,... [--zip] [-j N] [--out DIR]`: many runs, one
// table (sweep.csv); and `sweep-shard`, the hidden worker that simulates a shard of points
// side by side in one SystemC kernel.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "sim/cli/command.h"
#include "sim/device/inference_steps.h"
#include "sim/device/scenario.h"
#include "sim/device/simulation.h"
#include "sim/report/html_report.h"
#include "sim/report/pareto.h"
#include "sim/report/plot.h"
#include "sim/report/results_writer.h"
#include "sim/report/sweep.h"
#include "sim/report/world.h"

namespace ej::cli {
namespace {

struct SweepArgs {
  std::string file;
  std::vector<std::string> sets;
  bool zip = false;
  unsigned workers = 0;
  std::size_t shard = 0;
  std::string out;
  bool plot = false;
  bool json = false;
  bool force = false;
  std::string pareto;
};

const CommandRegistrar kSweep("sweep", [](CLI::App& app, int& status) {
  auto args = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand(
      "sweep", "Run a scenario over a grid of values and gather the results in sweep.csv");
  cmd->add_option("scenario", args->file, "Scenario YAML file")->required();
  cmd->add_option("--set", args->sets,
                  "key.path=v1,v2,... (repeatable; a comma inside a value: \\,)")
      ->required();
  cmd->add_flag("--zip", args->zip,
                "Pair the lists' values (i-th with i-th), not every combination");
  cmd->add_option("-j,--jobs", args->workers, "Worker processes (default: the cores)");
  cmd->add_option("--shard", args->shard,
                  "Points each worker simulates together in one kernel (default: about a "
                  "quarter of a worker's share, at most 16)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--out", args->out, "Sweep folder (default: results/<scenario name>-sweep)");
  cmd->add_option("--pareto", args->pareto,
                  "Mark the non-dominated points in sweep.csv's `pareto` column: "
                  "column:max|min,... (e.g. accuracy:max,battery_life_days:max)");
  cmd->add_flag("--plot", args->plot, "Also draw the figures (plots/) and report.html");
  cmd->add_flag("--json", args->json, "Print the outcome as JSON");
  cmd->add_flag("--force", args->force,
                "Use --out even if edgejoule did not write it (never the working folder, an "
                "ancestor of it, or the home folder)");
  cmd->callback([args, &status] {
    report::SweepOptions o;
    try {
      for (const auto& s : args->sets) o.sets.push_back(report::parseSweepSet(s));
      o.zip = args->zip;
      if (!args->pareto.empty()) {
        for (const auto& obj : report::parseObjectives(args->pareto)) {
          o.pareto.emplace_back(obj.column, obj.maximize);
        }
      }
      const auto points = report::sweepPoints(o.sets, o.zip);
      // Every point is checked before any runs: a bad value stops the sweep at once.
      for (const auto& p : points) {
        core::Overrides overrides;
        for (const auto& [k, v] : p.values) overrides[k] = v;
        const auto scenario = device::Scenario::load(args->file, overrides);
        if (o.scenarioName.empty()) o.scenarioName = scenario.name;
        o.horizons_s.push_back(in_s(scenario.horizon));
      }
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    if (args->plot) report::requireGnuplot();
    o.scenario = args->file;
    o.out = args->out.empty() ? "results/" + o.scenarioName + "-sweep" : args->out;
    // Under mpirun each rank starts one worker unless told otherwise: the ranks are the
    // parallelism.
    o.workers = workerCount(args->workers);
    o.shard = args->shard;
    o.force = args->force;
    o.program = std::filesystem::read_symlink("/proc/self/exe");
    o.progress = isatty(STDERR_FILENO) && !args->json;
    const auto r = report::runSweep(o);
    status = 0;
    if (r.csv.empty()) return;  // an MPI rank other than 0: rank 0 reports
    std::filesystem::path html;
    if (args->plot) html = report::writeHtmlReport(o.out, report::plotSweep(o.out));
    if (args->json) {
      std::cout << nlohmann::json{{"points", r.points},
                                  {"already_done", r.alreadyDone},
                                  {"rerun", r.rerun},
                                  {"ran", r.ran},
                                  {"workers", o.workers},
                                  {"ranks", r.ranks},
                                  {"pareto_points", r.paretoPoints},
                                  {"wall_time_s", r.wall_s},
                                  {"csv", r.csv.string()},
                                  {"report", html.string()}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << "sweep: " << r.points << " points (" << r.alreadyDone << " already done, "
                << r.ran << " run now with " << o.workers << " workers"
                << (r.ranks > 1 ? " on each of " + std::to_string(r.ranks) + " MPI ranks" : "")
                << ") in " << r.wall_s << " s\n";
      if (r.rerun > 0) {
        std::cout << "  " << r.rerun
                  << " points were run again: their folders held no complete result\n";
      }
      std::cout << "  " << r.csv.string() << "\n";
      if (!o.pareto.empty()) {
        std::cout << "  pareto: " << r.paretoPoints << " of " << r.points
                  << " points on the front\n";
      }
      if (!html.empty()) std::cout << "  " << html.string() << "\n";
    }
    status = 0;
  });
});

// The worker of a sweep: SHARD_FILE (written by runSweep) names the scenario and the
// points, each with its folder, node name and --set values. Every point is loaded, all are
// elaborated in one kernel and simulated together, and each point's folder is written as a
// run would write it.
const CommandRegistrar kSweepShard("sweep-shard", [](CLI::App& app, int& status) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("sweep-shard", "Run a shard of a sweep (used by sweep)");
  cmd->group("");  // hidden from --help: not for users
  cmd->add_option("shard", *file, "Shard file written by sweep")->required();
  cmd->callback([file, &status] {
    std::ifstream in(*file);
    if (!in) throw UsageError(*file + ": cannot read");
    const auto shard = nlohmann::json::parse(in);
    const std::string scenarioFile = shard.at("scenario");
    std::vector<std::unique_ptr<device::Scenario>> scenarios;
    std::vector<device::Scenario*> pointers;
    std::vector<std::string> names;
    for (const auto& p : shard.at("points")) {
      core::Overrides overrides;
      for (const auto& kv : p.at("values")) overrides[kv.at(0)] = kv.at(1);
      scenarios.push_back(
          std::make_unique<device::Scenario>(device::Scenario::load(scenarioFile, overrides)));
      pointers.push_back(scenarios.back().get());
      names.push_back(p.at("name"));
    }
    for (auto* s : pointers) device::profileInferences(*s);
    const auto results = device::simulateMany(pointers, names);
    for (std::size_t i = 0; i < results.size(); ++i) {
      report::writeResults(shard.at("points")[i].at("dir").get<std::string>(), *scenarios[i],
                           results[i]);
    }
    status = 0;
  });
});

}  // namespace
}  // namespace ej::cli
