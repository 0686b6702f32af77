// report.html: one self-contained page for a result folder (a run, a sweep, a Monte Carlo or
// a sensitivity study): the figures inline (SVG as data URIs), the summary tables, the
// scenario YAML as written, and the `source:` of every figure in the hw/ parts it names.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/report/plot.h"

namespace ej::report {

// One sourced value of a part file: `key: {value: ..., source: ...}` or a part-wide source.
struct PartSource {
  std::string key, value, source;
};
struct PartSources {
  std::filesystem::path file;  // as found
  std::string reference;       // as named by `part:`
  std::string name;            // the part's `name:`, if any
  std::vector<PartSource> values;
};

// The part files named by `part:` anywhere in SCENARIO_TEXT (the scenario written in
// SCENARIO_FILE), looked up beside the file and then under the data root, each with its
// sourced values. Parts that cannot be found are listed with an empty file.
std::vector<PartSources> partSources(const std::string& scenarioText,
                                     const std::filesystem::path& scenarioFile);

// Writes DIR/report.html (atomically) with the figures of PLOTS; returns its path. The kind
// of folder is told by its files: mc_summary.json (mc: inputs, percentiles with intervals,
// samples), sensitivity.json (the ranked one-at-a-time table, Morris), sweep.csv, else a run. The
// page names the folder SHOWN_AS (default DIR): a run writes its report into the temporary folder
// that becomes its result folder.
std::filesystem::path writeHtmlReport(const std::filesystem::path& dir, const PlotSet& plots,
                                      const std::filesystem::path& shownAs = {});

// Text with & < > " ' escaped for HTML.
std::string escapeHtml(const std::string& text);

// RFC 4648 base64 of BYTES.
std::string base64(const std::string& bytes);

}  // namespace ej::report
