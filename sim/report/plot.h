// Figures of a run's or a sweep's result folder, drawn by gnuplot into DIR/plots/ as PNG and
// SVG; each figure's generated .gp script and data stay beside it for re-use.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ej::report {

// One drawn figure: plots/<name>.png and plots/<name>.svg.
struct Figure {
  std::string name;   // file stem, snake_case
  std::string title;  // what it shows, one line
  std::filesystem::path png, svg;
};

struct PlotSet {
  std::vector<Figure> figures;
  // Figures that were not drawn, each with the reason (one line).
  std::vector<std::string> skipped;
};

// Throws std::runtime_error("gnuplot not found ...") when no gnuplot is on the PATH.
void requireGnuplot();

// The figures of one run (summary.json, daily.csv, timeseries.csv in DIR): state of charge
// and voltage over the run, the daily balance, and where the charge goes per part and state.
PlotSet plotRun(const std::filesystem::path& dir);

// The figures of a sweep (sweep.csv and sweep.json in DIR): each summary figure against
// each swept value, and accuracy against battery life when `model` is swept.
PlotSet plotSweep(const std::filesystem::path& dir);

// plotSweep when DIR holds a sweep.csv, else plotRun.
PlotSet plotResults(const std::filesystem::path& dir);

// Runs gnuplot on SCRIPT with WORKDIR as its current folder. Throws std::runtime_error
// with gnuplot's first error line when it fails.
void runGnuplot(const std::filesystem::path& script, const std::filesystem::path& workDir);

}  // namespace ej::report
