// The results of a run: summary.json (core::RunSummary), daily.csv and timeseries.csv, and
// the short human summary. Files are written into a temporary sibling folder that replaces
// the output folder only once complete and checked (core::writeFolderAtomically), so a
// failed run never leaves partial results and never replaces a folder edgejoule did not write.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "sim/core/results.h"
#include "sim/device/scenario.h"
#include "sim/device/simulation.h"

namespace ej::report {

core::RunSummary summarize(const device::Scenario& scenario, const device::RunResult& result);

// A few lines for the terminal.
std::string humanSummary(const core::RunSummary& summary);

struct WriteOptions {
  bool force = false;  // --force: the output folder may be one edgejoule did not write
};

// Writes OUT_DIR's files; then EXTRA, if given, adds its own (figures, report.html) to the
// same temporary folder, so they appear together or not at all. Throws core::OutputRefused
// when OUT_DIR may not be replaced, core::IoError when a write fails.
void writeResults(const std::filesystem::path& outDir, const device::Scenario& scenario,
                  const device::RunResult& result, const WriteOptions& options = {},
                  const std::function<void(const std::filesystem::path&)>& extra = {});

}  // namespace ej::report
