// Monte Carlo over a scenario (`edgejoule mc`): N samples of the --vary distributions (and
// of the scenario's own random seeds), each one point run exactly as a sweep's point is
// (sharded, resumable, in OUT/points/), gathered into OUT/mc.csv and OUT/mc_summary.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sim/report/distributions.h"
#include "sim/report/sweep.h"

namespace ej::report {

struct McOptions : StudyOptions {
  std::vector<VarySpec> vary;
  std::size_t samples = 100;
  std::uint64_t seed = 1;
  bool latinHypercube = false;
  bool drawSeeds = true;  // each sample also draws the scenario's own random seeds
  double level = 0.95;    // of the percentiles' confidence intervals
};

// The keys of the scenario's random seeds: every `seed:` in the file, and `seed` of every
// LoRaWAN radio that does not name one (its default, 1, is drawn too).
std::vector<std::string> scenarioSeedKeys(const std::filesystem::path& scenario);

// KEY's value in the scenario (a scalar, or the items of a list), as written.
std::vector<std::string> scenarioValues(const std::filesystem::path& scenario,
                                        const std::string& key);

// The --set text of BASE (scenarioValues) times FACTOR: "[0.5, 0.6]" for a list.
std::string scaledValue(const std::vector<std::string>& base, double factor);

// The points: sample i's values of every --vary, then its seeds.
std::vector<SweepPoint> mcPoints(const McOptions& options);

struct McOutcome {
  PointRunOutcome run;
  double wall_s = 0;
  double gather_s = 0;  // reading the samples' folders back into mc.csv and mc_summary.json
  std::filesystem::path csv, summary;
  nlohmann::json summaryJson;
};

// Runs the missing samples, then writes OUT/mc.csv and OUT/mc_summary.json (rank 0).
McOutcome runMc(const McOptions& options);

// The outputs of one point for the tables: sweepFigures, then projected_life_days and the
// December balance (from daily.csv).
using PointOutputs = std::vector<std::pair<std::string, std::string>>;
PointOutputs pointOutputs(const std::filesystem::path& dir);

// pointOutputs of every point of POINTS, in their order, on the process that writes the
// tables (rank 0 under MPI; the other ranks get an empty list). Reading the points' folders
// is the part of a study's end that grows with its size (summary.json and daily.csv parsed:
// under 0.5 ms of CPU a one-year point: 83 ms for 200 on one thread, with the percentiles),
// so it is shared out: under MPI rank R reads points
// R, R + ranks, ... and sends its rows to rank 0 (a collective call: every rank calls it), and
// each process reads its share with as many threads as it has CPUs (core::usableCpus: one
// where mpirun bound the rank to a core). A point that cannot be read throws on rank 0, with
// the message of the first such point in the points' order, whichever rank read it.
std::vector<PointOutputs> gatherPointOutputs(const std::filesystem::path& out,
                                             const std::vector<SweepPoint>& points);

// Mean, sd and percentiles (P5..P95 with intervals) of every numeric output column of
// TABLE (a CSV read back); life columns are right-censored where empty.
nlohmann::json summarizeSamples(const std::filesystem::path& csv,
                                const std::vector<std::string>& inputColumns, double level);

// FIELD ("value", "ci_lower" or "ci_upper") of PERCENTILE (mc_summary.json's
// outputs.NAME.percentiles.pNN) of OUTPUT NAME as printed: the number (6 significant
// digits), ">run" where its rank falls among censored lives, "n/a" where the sample has no
// such rank (too few samples for that bound).
std::string percentileText(const std::string& name, const nlohmann::json& output,
                           const nlohmann::json& percentile, const std::string& field);

// The console lines of a summary: life and balance percentiles with their intervals.
std::string describeMcSummary(const nlohmann::json& summary);

}  // namespace ej::report
