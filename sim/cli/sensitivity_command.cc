// `edgejoule sensitivity SCENARIO --vary 'KEY=LO..HI' ...`: what dominates battery life and
// the daily balance: one-at-a-time low/high runs (tornado) and Morris elementary effects.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "sim/cli/command.h"
#include "sim/core/config.h"
#include "sim/device/scenario.h"
#include "sim/report/plot.h"
#include "sim/report/sensitivity.h"
#include "sim/report/world.h"

namespace ej::cli {
namespace {

struct SensitivityArgs {
  std::string file;
  std::vector<std::string> vary;
  std::vector<std::string> sets;
  std::size_t morris = 0;
  int levels = 4;
  std::uint64_t seed = 1;
  unsigned workers = 0;
  std::size_t shard = 0;
  std::string out;
  bool plot = false;
  bool json = false;
};

const CommandRegistrar kSensitivity("sensitivity", [](CLI::App& app, int& status) {
  auto args = std::make_shared<SensitivityArgs>();
  auto* cmd = app.add_subcommand(
      "sensitivity", "What dominates battery life: one-at-a-time (tornado) and Morris screening");
  cmd->add_option("scenario", args->file, "Scenario YAML file")->required();
  cmd->add_option("--set", args->sets, "key.path=value for every run (repeatable)");
  cmd->add_option("--vary", args->vary,
                  "KEY=LO..HI with units (KEY*=LO..HI scales the scenario's value or list) "
                  "(repeatable)")
      ->required();
  cmd->add_option("--morris", args->morris,
                  "Morris trajectories (each runs factors + 1 points; default 0: none)")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--levels", args->levels, "Morris grid levels (even, default 4)")
      ->check(CLI::Range(2, 20));
  cmd->add_option("--seed", args->seed, "Seed of the Morris trajectories (default 1)");
  cmd->add_option("-j,--jobs", args->workers,
                  "Worker processes (default: the cores; 1 per rank under mpirun)");
  cmd->add_option("--shard", args->shard, "Points each worker simulates in one kernel")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--out", args->out, "Folder (default: results/<scenario name>-sensitivity)");
  cmd->add_flag("--plot", args->plot, "Also draw the tornado charts (plots/)");
  cmd->add_flag("--json", args->json, "Print sensitivity.json");
  cmd->callback([args, &status] {
    report::SensitivityOptions o;
    o.scenario = args->file;
    o.morrisTrajectories = args->morris;
    o.morrisLevels = args->levels;
    o.seed = args->seed;
    if (args->levels % 2 != 0) throw UsageError("--levels: must be even (Morris 1991)");
    try {
      for (const auto& a : args->sets) o.fixed.push_back(core::parseOverride(a));
      for (const auto& v : args->vary) {
        o.factors.push_back(report::parseFactor(v));
        for (std::size_t k = 0; k + 1 < o.factors.size(); ++k) {
          if (o.factors[k].key == o.factors.back().key) {
            throw UsageError("--vary " + o.factors.back().key + ": given twice");
          }
        }
      }
      o.scenarioName =
          device::Scenario::load(args->file, core::Overrides(o.fixed.begin(), o.fixed.end())).name;
      for (const auto& p : report::sensitivityPoints(o)) {
        core::Overrides overrides(p.values.begin(), p.values.end());
        try {
          device::Scenario::load(args->file, overrides);
        } catch (const core::ConfigError& e) {
          rethrowAsVary(e);
        }
      }
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    if (args->plot) report::requireGnuplot();
    o.out = args->out.empty() ? "results/" + o.scenarioName + "-sensitivity" : args->out;
    o.workers = workerCount(args->workers);
    o.shard = args->shard;
    o.program = std::filesystem::read_symlink("/proc/self/exe");
    o.progress = isatty(STDERR_FILENO) && !args->json;
    const auto r = report::runSensitivity(o);
    status = 0;
    if (!r.run.writer) return;
    report::PlotSet plots;
    if (args->plot) plots = report::plotSensitivity(o.out);
    if (args->json) {
      std::cout << r.result.dump(2) << "\n";
      return;
    }
    std::cout << "sensitivity: " << r.run.points << " runs (" << r.run.alreadyDone
              << " already done) in " << r.wall_s << " s\n"
              << report::sensitivityTable(r.result) << "  " << r.json.string() << "\n";
    for (const auto& f : plots.figures) std::cout << "  " << f.png.string() << "\n";
  });
});

}  // namespace
}  // namespace ej::cli
