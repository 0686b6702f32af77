// The results of a run: summary.json, daily.csv and timeseries.csv, and the short human
// summary. Files are written into a temporary folder that replaces the output folder only
// once complete, so a failed run never leaves partial results.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/device/scenario.h"
#include "sim/device/simulation.h"

namespace ej::report {

nlohmann::json summarize(const device::Scenario& scenario, const device::RunResult& result);

// A few lines for the terminal.
std::string humanSummary(const nlohmann::json& summary);

// Writes OUT_DIR's files; then EXTRA, if given, adds its own (figures, report.html) to the
// same temporary folder, so they appear together or not at all.
void writeResults(const std::filesystem::path& outDir, const device::Scenario& scenario,
                  const device::RunResult& result,
                  const std::function<void(const std::filesystem::path&)>& extra = {});

// Writes DIR's files through FILL into a fresh sibling folder, then swaps it in for DIR.
void writeFolderAtomically(const std::filesystem::path& dir,
                           const std::function<void(const std::filesystem::path&)>& fill);

}  // namespace ej::report
