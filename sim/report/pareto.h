// Pareto fronts of a sweep (`sweep --pareto 'accuracy:max,battery_life_days:max'`): the
// points that no other point beats, marked in sweep.csv's `pareto` column.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sim/report/plot_data.h"

namespace ej::report {

struct Objective {
  std::string column;
  bool maximize = true;
};

// Parses `column:max,column:min,...` (at least two). Throws std::invalid_argument: one line
// `--pareto: what is wrong`.
std::vector<Objective> parseObjectives(std::string_view text);

// The rows of TABLE on the front: row a dominates b when a is at least as good in every
// objective and better in one (Deb 2001, Multi-Objective Optimization using Evolutionary
// Algorithms, def. 2.5). An empty life cell (battery_life_days, projected_life_days: the
// battery outlived the run, or never empties) counts as longer than any number; a row with
// another objective empty is on no front. Throws std::invalid_argument for an unknown column.
std::vector<bool> paretoFront(const CsvTable& table, const std::vector<Objective>& objectives);

// Adds (or replaces) the `pareto` column (true/false) of CSV, written atomically; returns the
// number of points on the front.
std::size_t markPareto(const std::filesystem::path& csv, const std::vector<Objective>& objectives);

}  // namespace ej::report
