// `edgejoule mc SCENARIO --samples N --vary 'KEY=DIST' ...`: Monte Carlo over uncertain
// inputs; battery life and balance as percentiles with confidence intervals.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "sim/cli/command.h"
#include "sim/core/config.h"
#include "sim/device/scenario.h"
#include "sim/report/mc.h"
#include "sim/report/plot.h"
#include "sim/report/plot_data.h"
#include "sim/report/world.h"

namespace ej::cli {
namespace {

struct McArgs : StudyArgs {
  std::vector<std::string> vary;
  std::size_t samples = 100;
  std::uint64_t seed = 1;
  bool lhs = false;
  bool fixedSeeds = false;
  bool timeseries = false;
  double level = 0.95;
};

constexpr CommandInfo kMcCommand{
    "mc", "Monte Carlo: battery life and balance percentiles under uncertain inputs"};
const CommandRegistrar kMc(kMcCommand, [](CLI::App* cmd, int& status) {
  auto args = std::make_shared<McArgs>();
  addStudyOptions(*cmd, *args, "Samples", "mc", "Print the outcome as JSON");
  cmd->add_option("--vary", args->vary,
                  "KEY=DIST: normal(mean, sd), lognormal(median, sigma), uniform(lo, hi), "
                  "triangular(lo, mode, hi), choice(a, b, ...); KEY*=DIST scales the "
                  "scenario's value (each item of a list) by the draw (repeatable)")
      ->required();
  cmd->add_option("--samples", args->samples, "Samples (default 100)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--seed", args->seed, "Seed of the draws (default 1)");
  cmd->add_flag("--lhs", args->lhs, "Latin hypercube sampling");
  cmd->add_flag("--fixed-seeds", args->fixedSeeds,
                "Keep the scenario's own random seeds (default: each sample draws them)");
  cmd->add_flag("--timeseries", args->timeseries,
                "Each sample writes timeseries.csv as `run` does (default: "
                "output.timeseries=false, no hourly series)");
  cmd->add_option("--level", args->level, "Confidence level of the intervals (default 0.95)")
      ->check(CLI::Range(0.5, 0.999));
  cmd->callback([args, &status] {
    report::McOptions o;
    o.scenario = args->file;
    o.samples = args->samples;
    o.seed = args->seed;
    o.latinHypercube = args->lhs;
    o.drawSeeds = !args->fixedSeeds;
    o.level = args->level;
    std::vector<report::SweepPoint> points;
    try {
      for (const auto& a : args->sets) o.fixed.push_back(core::parseOverride(a));
      // A sample's hourly series is not read by anything mc writes, and a thousand of them
      // fill hundreds of MB: the samples take none unless asked (the column shows it).
      const bool seriesSet = std::any_of(o.fixed.begin(), o.fixed.end(), [](const auto& kv) {
        return kv.first == "output.timeseries";
      });
      if (!args->timeseries && !seriesSet) o.fixed.emplace_back("output.timeseries", "false");
      for (const auto& v : args->vary) o.vary.push_back(report::parseVary(v));
      for (std::size_t i = 0; i < o.vary.size(); ++i) {
        for (std::size_t k = 0; k < i; ++k) {
          if (o.vary[k].key == o.vary[i].key) {
            throw UsageError("--vary " + o.vary[i].key + ": given twice");
          }
        }
      }
      const core::Overrides fixed(o.fixed.begin(), o.fixed.end());
      o.scenarioName = device::Scenario::load(args->file, fixed).name;
      // Each key checked alone at its median, so that a unit that does not fit the key is
      // named by its --vary; then at the smallest and largest value drawn for it (a key's
      // accepted values are an interval: a normal's tail may leave it), every choice, and
      // the first sample whole. Loading each of 1,000 samples would cost more than a run.
      for (const auto& v : o.vary) {
        core::Overrides one = fixed;
        try {
          one[v.key] = v.scale ? report::scaledValue(report::scenarioValues(o.scenario, v.key),
                                                     v.dist.quantile(0.5))
                               : v.dist.typical();
          device::Scenario::load(args->file, one);
        } catch (const core::ConfigError& e) {
          rethrowAsVary(e, "");
        }
      }
      points = report::mcPoints(o);
      for (std::size_t k = o.fixed.size(); k < o.fixed.size() + o.vary.size(); ++k) {
        std::map<double, std::size_t> byNumber;  // leading number -> a sample with it
        std::set<std::string> texts;
        for (const auto& p : points) {
          const std::string& text = p.values[k].second;
          const auto n = report::splitNumber(text.substr(text.rfind('[', 0) == 0 ? 1 : 0));
          if (n && o.vary[k - o.fixed.size()].dist.kind != report::Distribution::Kind::Choice) {
            byNumber.emplace(n->value, p.index);
          } else {
            texts.insert(text);
          }
        }
        std::vector<std::size_t> check;
        if (!byNumber.empty()) {
          check.push_back(byNumber.begin()->second);
          check.push_back(byNumber.rbegin()->second);
        }
        for (const auto& t : texts) {
          for (const auto& p : points) {
            if (p.values[k].second == t) {
              check.push_back(p.index);
              break;
            }
          }
        }
        for (std::size_t i : check) {
          core::Overrides one = fixed;
          one[points[i].values[k].first] = points[i].values[k].second;
          try {
            device::Scenario::load(args->file, one);
          } catch (const core::ConfigError& e) {
            rethrowAsVary(
                e, " (in sample " + std::to_string(i) + ": " + points[i].values[k].second + ")");
          }
        }
      }
      try {
        device::Scenario::load(args->file,
                               core::Overrides(points[0].values.begin(), points[0].values.end()));
      } catch (const core::ConfigError& e) {
        rethrowAsVary(e, " (in sample 0)");
      }
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    setStudyOptions(*args, "mc", o);
    const auto r = report::runMc(o);
    status = 0;
    if (!r.run.writer) return;
    report::PlotSet plots;
    const std::filesystem::path html = drawStudy(*args, o.out, plots);
    if (args->json) {
      std::cout << nlohmann::json{{"samples", r.run.points},
                                  {"already_done", r.run.alreadyDone},
                                  {"rerun", r.run.rerun},
                                  {"ran", r.run.ran},
                                  {"workers", o.workers},
                                  {"ranks", r.run.ranks},
                                  {"wall_time_s", r.wall_s},
                                  {"csv", r.csv.string()},
                                  {"summary", r.summary.string()},
                                  {"report", html.string()},
                                  {"phases_s", phasesJson(r.run.phases, r.gather_s)}}
                       .dump(2)
                << "\n";
      return;
    }
    std::cout << "mc: " << r.run.points << " samples (" << r.run.alreadyDone << " already done, "
              << r.run.ran << " run now with " << o.workers << " workers"
              << (r.run.ranks > 1 ? " on each of " + std::to_string(r.run.ranks) + " ranks" : "")
              << ") in " << r.wall_s << " s\n"
              << (r.run.rerun > 0 ? "  " + std::to_string(r.run.rerun) +
                                        " samples were run again: their folders held no "
                                        "complete result\n"
                                  : std::string())
              << report::describeMcSummary(r.summaryJson) << "  " << r.csv.string() << "\n  "
              << r.summary.string() << "\n";
    for (const auto& f : plots.figures) std::cout << "  " << f.png.string() << "\n";
    for (const auto& s : plots.skipped) std::cout << "  skipped: " << s << "\n";
    if (!html.empty()) std::cout << "  " << html.string() << "\n";
  });
});

}  // namespace
}  // namespace ej::cli
