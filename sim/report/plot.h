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
// and voltage over the run (skipped without timeseries.csv), the daily balance, and where
// the charge goes per part and state.
PlotSet plotRun(const std::filesystem::path& dir);

// The figures of a sweep (sweep.csv and sweep.json in DIR): each summary figure against
// each swept value, and accuracy against battery life when `model` is swept.
PlotSet plotSweep(const std::filesystem::path& dir);

// The Pareto front of a sweep run with --pareto (two objectives): every point, the front
// drawn through the non-dominated ones. Skipped (with the reason) for more objectives.
PlotSet plotPareto(const std::filesystem::path& dir);

// plotMc, plotSensitivity or plotSweep when DIR holds mc_summary.json, sensitivity.json or
// sweep.csv, else plotRun.
PlotSet plotResults(const std::filesystem::path& dir);

// The figures of a Monte Carlo folder (mc.csv, mc_summary.json): the CDF of battery life
// (or of the projected life when no battery emptied) with P10, P50 and P90 marked, and the
// CDF of the December balance.
PlotSet plotMc(const std::filesystem::path& dir);

// The figures of a sensitivity folder (sensitivity.json): tornado charts of battery life and
// of the daily balance, and Morris mu* against sigma when Morris trajectories were run.
PlotSet plotSensitivity(const std::filesystem::path& dir);

// Writes PLOTS/NAME.gp drawing BODY (gnuplot commands) as SVG and PNG, runs it, returns the
// figure.
Figure drawFigure(const std::filesystem::path& plots, const std::string& name,
                  const std::string& title, const std::string& body, int width = 960,
                  int height = 540);

// TEXT as a gnuplot string literal in single quotes.
std::string gnuplotQuote(const std::string& text);

// Runs gnuplot on SCRIPT with WORKDIR as its current folder. Throws std::runtime_error
// with gnuplot's first error line when it fails.
void runGnuplot(const std::filesystem::path& script, const std::filesystem::path& workDir);

}  // namespace ej::report
