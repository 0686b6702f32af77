// `edgejoule plot RESULT_DIR`: the figures (PNG and SVG in RESULT_DIR/plots/) and
// report.html of a run's, a sweep's, a Monte Carlo's or a sensitivity study's folder.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "sim/cli/command.h"
#include "sim/report/html_report.h"
#include "sim/report/plot.h"

namespace ej::cli {
namespace {

constexpr CommandInfo kPlotCommand{
    "plot", "Draw a result folder's figures (plots/*.png, *.svg) and report.html"};
const CommandRegistrar kPlot(kPlotCommand, [](CLI::App* cmd, int& status) {
  auto dir = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  cmd->add_option("result_dir", *dir, "A result folder of `run`, `sweep`, `mc` or `sensitivity`")
      ->required();
  cmd->add_flag("--json", *json, "Print the files written as JSON");
  cmd->callback([dir, json, &status] {
    std::filesystem::path path = std::filesystem::path(*dir).lexically_normal();
    if (path.filename().empty()) path = path.parent_path();
    if (!std::filesystem::is_directory(path)) {
      throw UsageError(path.string() + ": no such result folder");
    }
    bool results = false;
    for (const char* f : {"summary.json", "sweep.csv", "mc_summary.json", "sensitivity.json"}) {
      results = results || std::filesystem::exists(path / f);
    }
    if (!results) {
      throw UsageError(path.string() +
                       ": neither summary.json (a run) nor sweep.csv (a sweep) nor "
                       "mc_summary.json (mc) nor sensitivity.json (sensitivity) is there");
    }
    const auto plots = report::plotResults(path);
    const auto html = report::writeHtmlReport(path, plots);
    if (*json) {
      nlohmann::json out = {{"report", html.string()},
                            {"figures", nlohmann::json::array()},
                            {"skipped", plots.skipped}};
      for (const auto& f : plots.figures) {
        out["figures"].push_back({{"name", f.name},
                                  {"title", f.title},
                                  {"png", f.png.string()},
                                  {"svg", f.svg.string()}});
      }
      std::cout << out.dump(2) << "\n";
    } else {
      for (const auto& f : plots.figures) {
        std::cout << f.png.string() << ", .svg: " << f.title << "\n";
      }
      for (const auto& s : plots.skipped) std::cout << "not drawn: " << s << "\n";
      std::cout << html.string() << "\n";
    }
    status = 0;
  });
});

}  // namespace
}  // namespace ej::cli
