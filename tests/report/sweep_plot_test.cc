// The sweep figures' scripts, drawn from hand-made sweep folders (sweep.json and sweep.csv
// are all `plotSweep` reads): what each script sets up, not pixels. Needs gnuplot.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/core/results.h"
#include "sim/report/plot.h"
#include "sim/report/sweep.h"

namespace ej::report {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A folder of this test process (ctest runs tests in parallel), removed at the end.
struct SweepDir {
  fs::path path;
  SweepDir(const std::string& name, const json& sets, bool zip, const std::string& csv)
      : path(fs::temp_directory_path() / (name + "_" + std::to_string(getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
    std::ofstream(path / "sweep.json") << json{{"sets", sets}, {"zip", zip}}.dump();
    std::ofstream(path / "sweep.csv") << csv;
  }
  ~SweepDir() { fs::remove_all(path); }
  std::string script(const std::string& name) const { return slurp(path / "plots" / name); }
};

const char* kModel = "node.jobs.0.steps.1.infer";

// Three models x three spreading factors on a node without a harvester. Lives 2,400,
// 3,500 and 4,400 d by spreading factor, the models 0, 3 and 5 days apart: the models'
// days are 0.1 % of the span. Accuracy is a fraction, as sweep.csv writes it.
SweepDir modelGrid() {
  std::string csv =
      "point,node.jobs.0.steps.1.infer,node.radio.spreading_factor,battery_life_days,"
      "daily.consumed_mAh,daily.harvested_mAh,daily.net_mAh,accuracy\n";
  const char* models[] = {"models/lenet5-dense-int8.onnx", "models/lenet5-s-13x-int8.onnx",
                          "models/lenet5-magnitude-88x-int8.onnx"};
  const double accuracy[] = {0.9815, 0.974, 0.902};
  const double extra[] = {0, 3, 5};
  const int sf[] = {7, 10, 12};
  const double life[] = {4400, 3500, 2400};
  int point = 0;
  for (int m = 0; m < 3; ++m) {
    for (int s = 0; s < 3; ++s) {
      const double l = life[s] + extra[m];
      csv += fmt::format("{:04},{},{},{},{:.9g},0,{:.9g},{}\n", point++, models[m], sf[s], l,
                         1000 / l, -1000 / l, accuracy[m]);
    }
  }
  return SweepDir(
      "ej_sweep_plot_models",
      json::array({{{"key", kModel}, {"values", json::array()}},
                   {{"key", "node.radio.spreading_factor"}, {"values", json::array()}}}),
      false, csv);
}

TEST(SweepPlotTest, ModelTicksAreFileStemsAndFewDaysShowAsRelativeChange) {
  const SweepDir dir = modelGrid();
  const PlotSet set = plotSweep(dir.path);
  ASSERT_EQ(set.figures.size(), 3u);  // against the models, against SF, accuracy vs life
  const std::string models = dir.script("sweep_vs_node.jobs.0.steps.1.infer.gp");
  // Ticks by file stem, no folder or extension; a 25-character name in a third of a 430 px
  // panel is turned (25 x 8 px > 0.9 x 430 px / 3).
  EXPECT_NE(models.find("set xtics (\"lenet5-dense-int8\" 0, \"lenet5-s-13x-int8\" 1, "
                        "\"lenet5-magnitude-88x-int8\" 2) rotate by 30 right"),
            std::string::npos)
      << models;
  EXPECT_EQ(models.find(".onnx"), std::string::npos);
  // 5 days in a 2,000-day span: the life panel is each line's % change, and the data has
  // it: 3 d / 2,400 d = 0.125 % for the second model at SF12.
  EXPECT_NE(models.find("battery life (days):\\nchange from each line's first point (%)"),
            std::string::npos);
  const std::string data = slurp(dir.path / "plots/sweep_vs_node.jobs.0.steps.1.infer.csv");
  EXPECT_NE(data.find("1,2403,0.125,"), std::string::npos) << data;
  // No harvester at any point: no harvested or net panel.
  EXPECT_EQ(models.find("harvested (mAh/day)"), std::string::npos);
  // Against SF, one line per model, named by its stem in the key band.
  const std::string sf = dir.script("sweep_vs_node.radio.spreading_factor.gp");
  EXPECT_NE(sf.find("title 'node.jobs.0.steps.1.infer=lenet5-magnitude-88x-int8'"),
            std::string::npos);
  EXPECT_NE(sf.find("index 2 using"), std::string::npos);
  EXPECT_EQ(sf.find("change from each line"), std::string::npos);  // lives 2,400-4,400 d
}

TEST(SweepPlotTest, AccuracyIsAFractionInTheTableAndPercentOnTheAxisWithAKey) {
  const SweepDir dir = modelGrid();
  plotSweep(dir.path);
  const std::string gp = dir.script("accuracy_vs_life.gp");
  EXPECT_NE(gp.find("set ylabel 'int8 top-1 accuracy (%)'"), std::string::npos);
  // sweep.csv's 0.9815 is drawn at 98.15 %, the first model's point type (4), SF7's colour.
  const std::string data = slurp(dir.path / "plots/accuracy_vs_life.csv");
  EXPECT_NE(data.find("4400,98.15,4,0\n"), std::string::npos) << data;
  // No label is written beside the points; the key names each model and each SF.
  EXPECT_EQ(gp.find("with labels"), std::string::npos);
  EXPECT_NE(gp.find("pt 6 ps 1.8 lw 2 lc rgb 'black' title 'lenet5-s-13x-int8'"),
            std::string::npos);
  EXPECT_NE(gp.find("title 'node.radio.spreading_factor=12'"), std::string::npos);
}

TEST(SweepPlotTest, ZippedKeysAreOneSeriesWithStackedTicks) {
  const std::string csv =
      "point,node.radio.spreading_factor,node.radio.tx_power,battery_life_days,"
      "daily.consumed_mAh,daily.harvested_mAh,daily.net_mAh\n"
      "0000,7,2 dBm,4650,0.62,0,-0.62\n0001,9,14 dBm,4410,0.66,0,-0.66\n"
      "0002,12,20 dBm,1610,1.8,0,-1.8\n";
  const SweepDir dir("ej_sweep_plot_zip",
                     json::array({{{"key", "node.radio.spreading_factor"}, {"values", {}}},
                                  {{"key", "node.radio.tx_power"}, {"values", {}}}}),
                     true, csv);
  const PlotSet set = plotSweep(dir.path);
  ASSERT_EQ(set.figures.size(), 1u);  // one figure: the keys move together
  EXPECT_FALSE(fs::exists(dir.path / "plots/sweep_vs_node.radio.tx_power.gp"));
  const std::string gp = dir.script("sweep_vs_node.radio.spreading_factor.gp");
  EXPECT_EQ(gp.find("index 1"), std::string::npos) << gp;  // one series
  EXPECT_NE(gp.find("\"7\\n2 dBm\" 7, \"9\\n14 dBm\" 9, \"12\\n20 dBm\" 12"), std::string::npos)
      << gp;
  EXPECT_NE(gp.find("zipped with node.radio.tx_power"), std::string::npos);
}

TEST(SweepPlotTest, ValuesSpanningDecadesGetALogAxis) {
  const auto sweep = [](const std::string& name, const std::string& v1, const std::string& v2) {
    return SweepDir(name, json::array({{{"key", "node.pir.motion.poisson.rate"}, {"values", {}}}}),
                    false,
                    "point,node.pir.motion.poisson.rate,battery_life_days,daily.consumed_mAh,"
                    "daily.harvested_mAh,daily.net_mAh\n0000," +
                        v1 + ",4780,0.6,0,-0.6\n0001," + v2 + ",890,3.25,0,-3.25\n");
  };
  // 1 to 1,000 /d: three decades; 10 to 20 /d: not one.
  const SweepDir decades = sweep("ej_sweep_plot_log", "1 /d", "1000 /d");
  plotSweep(decades.path);
  const std::string log = decades.script("sweep_vs_node.pir.motion.poisson.rate.gp");
  EXPECT_NE(log.find("set logscale x\n"), std::string::npos);
  EXPECT_NE(log.find("node.pir.motion.poisson.rate (/d)"), std::string::npos);
  const SweepDir narrow = sweep("ej_sweep_plot_lin", "10 /d", "20 /d");
  plotSweep(narrow.path);
  EXPECT_EQ(narrow.script("sweep_vs_node.pir.motion.poisson.rate.gp").find("logscale x"),
            std::string::npos);
}

TEST(SweepPlotTest, ParetoFrontIsNumberedWithItsValuesInTheKey) {
  SweepDir dir("ej_sweep_plot_pareto",
               json::array({{{"key", kModel}, {"values", json::array()}},
                            {{"key", "node.radio.spreading_factor"}, {"values", json::array()}}}),
               false,
               "point,node.jobs.0.steps.1.infer,node.radio.spreading_factor,accuracy,"
               "projected_life_days,pareto\n"
               "0000,models/a-int8.onnx,7,0.98,4400,true\n"
               "0001,models/a-int8.onnx,12,0.98,2400,false\n"
               "0002,models/b-int8.onnx,7,0.69,4405,true\n");
  std::ofstream(dir.path / "sweep.json") << json{
      {"sets", json::array({{{"key", kModel}, {"values", json::array()}},
                            {{"key", "node.radio.spreading_factor"}, {"values", json::array()}}})},
      {"zip", false},
      {"pareto",
       json::array({{{"column", "accuracy"}, {"sense", "max"}},
                    {{"column", "projected_life_days"},
                     {"sense", "max"}}})}}.dump();
  plotPareto(dir.path);
  const std::string gp = dir.script("pareto_front.gp");
  EXPECT_NE(gp.find("set xlabel 'accuracy (int8 top-1, a fraction: 0.974 = 97.4 %)'"),
            std::string::npos);
  // The front's points by their rank along x (b at 0.69 first), their values in the key.
  EXPECT_EQ(slurp(dir.path / "plots/pareto_front.csv"), "x,y,n\n0.69,4405,1\n0.98,4400,2\n");
  EXPECT_NE(gp.find("title '1: infer=b-int8, spreading_factor=7'"), std::string::npos) << gp;
  EXPECT_NE(gp.find("title '2: infer=a-int8, spreading_factor=7'"), std::string::npos);
}

TEST(SweepPlotTest, SweepCsvAccuracyIsTheSummarysFraction) {
  core::RunSummary s;
  s.inference.emplace_back();
  s.inference.back().accuracy_int8 = 0.974;
  const auto figures = sweepFigures(s);
  const auto a = std::find_if(figures.begin(), figures.end(),
                              [](const auto& f) { return f.first == "accuracy"; });
  ASSERT_NE(a, figures.end());
  EXPECT_EQ(a->second, "0.974");
}

}  // namespace
}  // namespace ej::report
