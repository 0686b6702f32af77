// Sensitivity of battery life and daily balance to a scenario's inputs (`edgejoule
// sensitivity`): one-at-a-time low/high runs around the baseline (a tornado chart), and
// Morris elementary effects (Morris 1991; mu* of Campolongo, Cariboni & Saltelli 2007) for
// screening many factors. The runs are points of the sweep's runner, resumable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sim/report/sweep.h"

namespace ej::report {

// One factor: `KEY=LO..HI` (quantities in one unit: `node.pir.quiescent=7.5 uA..30 uA`), or
// `KEY*=LO..HI` scaling the scenario's value or list (`...clearness*=0.85..1.15`).
struct Factor {
  std::string key;
  bool scale = false;
  double lo = 0, hi = 0;  // in `unit`
  std::string unit;
  // LO and HI written as whole numbers without a unit (a spreading factor `7..12`): every
  // value is rounded to a whole number (the Morris grid's levels fall between).
  bool integer = false;
  std::string text;  // as given
  // The --set text at X in [0, 1] (lo + X (hi - lo)), or of the scaled BASE values.
  std::string valueAt(double x, const std::vector<std::string>& base) const;
};

// Throws std::invalid_argument: `--vary KEY: what is wrong`.
Factor parseFactor(std::string_view text);

struct SensitivityOptions : StudyOptions {
  std::vector<Factor> factors;
  std::size_t morrisTrajectories = 0;  // 0: one-at-a-time only
  int morrisLevels = 4;
  std::uint64_t seed = 1;
};

// The points: 0 the baseline; 1 + 2k and 2 + 2k factor k at LO and HI; then the Morris
// trajectories, (k + 1) points each.
std::vector<SweepPoint> sensitivityPoints(const SensitivityOptions& options);

struct SensitivityOutcome {
  PointRunOutcome run;
  double wall_s = 0;
  std::filesystem::path json;
  nlohmann::json result;
};

// Runs the missing points; rank 0 writes OUT/sensitivity.json and OUT/sensitivity.txt (the
// ranked table).
SensitivityOutcome runSensitivity(const SensitivityOptions& options);

// The ranked table: one line per factor, "KEY: -35 % / +37 % of life".
std::string sensitivityTable(const nlohmann::json& result);

}  // namespace ej::report
