// `edgejoule sensitivity SCENARIO --vary 'KEY=LO..HI' ...`: what dominates battery life and
// the daily balance: one-at-a-time low/high runs (tornado) and Morris elementary effects.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "sim/cli/command.h"
#include "sim/core/config.h"
#include "sim/device/scenario.h"
#include "sim/report/plot.h"
#include "sim/report/sensitivity.h"
#include "sim/report/world.h"

namespace ej::cli {
namespace {

struct SensitivityArgs : StudyArgs {
  std::vector<std::string> vary;
  std::size_t morris = 0;
  int levels = 4;
  std::uint64_t seed = 1;
};

constexpr CommandInfo kSensitivityCommand{
    "sensitivity", "What dominates battery life: one-at-a-time (tornado) and Morris screening"};
const CommandRegistrar kSensitivity(kSensitivityCommand, [](CLI::App* cmd, int& status) {
  auto args = std::make_shared<SensitivityArgs>();
  addStudyOptions(*cmd, *args, "Points", "sensitivity", "Print sensitivity.json");
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
    setStudyOptions(*args, "sensitivity", o);
    const auto r = report::runSensitivity(o);
    status = 0;
    if (!r.run.writer) return;
    report::PlotSet plots;
    const std::filesystem::path html = drawStudy(*args, o.out, plots);
    if (args->json) {
      std::cout << r.result.dump(2) << "\n";
      return;
    }
    std::cout << "sensitivity: " << r.run.points << " runs (" << r.run.alreadyDone
              << " already done) in " << r.wall_s << " s\n"
              << (r.run.rerun > 0 ? "  " + std::to_string(r.run.rerun) +
                                        " points were run again: their folders held no "
                                        "complete result\n"
                                  : std::string())
              << report::sensitivityTable(r.result) << "  " << r.json.string() << "\n";
    for (const auto& f : plots.figures) std::cout << "  " << f.png.string() << "\n";
    if (!html.empty()) std::cout << "  " << html.string() << "\n";
  });
});

}  // namespace
}  // namespace ej::cli
