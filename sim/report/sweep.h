// Sweeps: the grid (or zipped list) of --set values, dealt in shards to worker processes
// that each run a shard's points, each in a process forked from the worker (or, with
// --shard N, side by side in one SystemC kernel); resumable,
// gathered into one sweep.csv. Each point's folder is what `edgejoule run` would write.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/results.h"

namespace ej::report {

// One swept key and its values, as given: `key.path=v1,v2,...` (a comma inside a value is
// written `\,`; spaces are kept: `80 mA`).
struct SweepSet {
  std::string key;
  std::vector<std::string> values;
};

// Parses one --set of `sweep`. Throws std::invalid_argument with a one-line reason.
SweepSet parseSweepSet(std::string_view assignment);

struct SweepPoint {
  std::size_t index;
  std::string dir;                                          // "points/0007"
  std::vector<std::pair<std::string, std::string>> values;  // key, value; in --set order
};

// Every combination of the values (the last key varies fastest), or with ZIP the i-th
// value of every list together (lists of one value repeat). Throws std::invalid_argument
// when zipped lists differ in length.
std::vector<SweepPoint> sweepPoints(const std::vector<SweepSet>& sets, bool zip);

struct SweepOptions {
  std::filesystem::path scenario;  // as given
  std::string scenarioName;        // for the report
  std::vector<SweepSet> sets;
  bool zip = false;
  std::filesystem::path out;  // the sweep folder
  unsigned workers = 1;       // worker processes
  // Points side by side in one worker kernel; 0: each point in a process of its own, forked
  // from a worker that runs a batch of points chosen by runSweep.
  std::size_t shard = 0;
  // Each point's horizon in seconds, by point index (may be empty): shards are cut from the
  // points in order of horizon, so that a kernel's nodes end together.
  std::vector<double> horizons_s;
  std::filesystem::path program;  // the edgejoule binary the points run with
  bool progress = false;          // draw a progress bar on stderr
  bool force = false;             // --force: OUT may be a folder edgejoule did not write
  // --pareto: objectives whose non-dominated points sweep.csv's `pareto` column marks.
  std::vector<std::pair<std::string, bool>> pareto;  // column, maximize
};

// A list of points run by worker processes into OUT/points/, resumable: what `sweep`, `mc`
// and `sensitivity` share. The points, their values and their folders come from the caller.
struct PointRun {
  std::filesystem::path scenario;  // as given
  std::filesystem::path out;       // the folder
  std::string manifest;            // its definition file: "sweep.json", "mc.json", ...
  // What a folder must hold to be resumed (the points' folders and values are added); the
  // keys compared and, for each, what a mismatch means ("the --set values differ").
  nlohmann::json definition;
  std::vector<std::pair<std::string, std::string>> mustMatch;
  std::vector<std::string> complete;  // files standing for a finished run, removed first
  std::vector<SweepPoint> points;
  unsigned workers = 1;
  std::size_t shard = 0;
  std::vector<double> horizons_s;  // by point index (may be empty)
  std::filesystem::path program;
  bool progress = false;
  bool force = false;  // OUT may be a folder edgejoule did not write (never cwd, its ancestors)
};

// What `mc` and `sensitivity` share: a scenario under fixed --set values, whose points run
// through runPoints into OUT.
struct StudyOptions {
  std::filesystem::path scenario;  // as given
  std::string scenarioName;
  // --set: fixed values every point takes (before its own).
  std::vector<std::pair<std::string, std::string>> fixed;
  std::filesystem::path out;
  unsigned workers = 1;
  std::size_t shard = 0;
  std::filesystem::path program;
  bool progress = false;
};

// The PointRun of a study, without its points: MANIFEST records DEFINITION (the study's own
// keys, among them `vary`) and the scenario (path, name, text) and the --set values;
// MUST_MATCH (the study's keys) then `set` and `scenario_text` are compared on resume.
PointRun studyRun(const StudyOptions& options, const std::string& manifest,
                  nlohmann::json definition,
                  std::vector<std::pair<std::string, std::string>> mustMatch);

// Where the run's time went, in seconds summed over the points run now (and over the
// workers and ranks that ran them): what tests/bench/mc prints per sample.
struct PointPhases {
  double start = 0;        // worker processes starting: fork, exec, the shared libraries
  double fork = 0;         // a worker forking each point's process
  double load = 0;         // Scenario::load and profileInferences
  double simulate = 0;     // elaboration and the run
  double write = 0;        // the point's folder
  std::size_t points = 0;  // the points these times cover
};

struct PointRunOutcome {
  std::size_t points = 0, alreadyDone = 0, ran = 0;
  PointPhases phases;
  std::size_t rerun = 0;  // found with a folder that was not a complete result, run again
  unsigned ranks = 1;     // MPI ranks that shared the points (1: this process alone)
  bool writer = true;     // this process writes the gathered tables (rank 0 under MPI)
};

// Runs the missing points of RUN (shared out over MPI ranks when started by mpirun). Throws
// std::runtime_error naming the first point that failed (the others still run and are kept).
PointRunOutcome runPoints(const PointRun& run);

struct SweepOutcome {
  std::size_t points = 0;       // in the sweep
  std::size_t alreadyDone = 0;  // found complete when it started (resumed)
  std::size_t rerun = 0;        // found with a folder that was not a complete result
  std::size_t ran = 0;          // run now
  double wall_s = 0;
  std::filesystem::path csv;  // empty on MPI ranks other than 0
  unsigned ranks = 1;
  PointPhases phases;
  std::size_t paretoPoints = 0;  // on the front, with --pareto
};

// Runs the missing points, then writes OUT/sweep.csv. OUT/sweep.json records the sweep's
// definition; a folder holding a different sweep is refused. Throws std::runtime_error
// naming the first point that failed (the others still run and are kept).
SweepOutcome runSweep(const SweepOptions& options);

// The figures of one point's summary (then in sweep.csv, mc.csv and the sensitivity tables
// also projected_life_days and the December balance: pointOutputs in mc.h), in column order;
// names are the summary's key paths. Empty strings for figures the summary does not have.
std::vector<std::pair<std::string, std::string>> sweepFigures(const core::RunSummary& summary);
std::vector<std::pair<std::string, std::string>> sweepFigures(const nlohmann::json& summary);

// True when DIR holds a complete point: edgejoule's marker and a summary.json that reads.
bool pointDone(const std::filesystem::path& dir);

// The sizes of the shards of PENDING points forked one by one: guided self-scheduling
// (Polychronopoulos and Kuck, IEEE Trans. Computers 36(12), 1987): each shard takes 1/(2 W)
// of the points not yet dealt to the W workers, between 1 and 16. Large shards first
// spare workers' starts (about 12 ms of CPU each: exec and the shared libraries); the shards shrink
// towards the end, the last ones a point each, so a worker that runs out of shards waits for at
// most about one point of another's, not a whole shard (equal shards of 5 one-year samples could
// idle one of 2 workers for up to 5 samples, about 0.4 s, of a 2 s run). A forking worker writes
// each point as it ends, so a killed one loses only the point it ran.
std::vector<std::size_t> shardSizes(std::size_t pending, unsigned workers);

// Under MPI the ranks take shards from one list as they free up, rather than dealing the points
// in advance: a rank takes shard K by creating POINTS/.shard-claim-K (O_CREAT | O_EXCL, atomic
// on a local folder and on NFS v3 and later), so each shard runs once, and a rank on a faster or
// idler node takes more. True if this call created it; false if another rank had; throws on
// any other error. A later run of the folder removes the claims (they start with ".shard-").
bool claimShard(const std::filesystem::path& points, std::size_t k);

// Writes OUT/sweep.csv: the points' values and OUTPUTS (gatherPointOutputs in mc.h).
std::filesystem::path writeSweepCsv(
    const std::filesystem::path& out, const std::vector<SweepSet>& sets,
    const std::vector<SweepPoint>& points,
    const std::vector<std::vector<std::pair<std::string, std::string>>>& outputs);

}  // namespace ej::report
