// The plot, run --plot and sweep commands as a user runs them; report.html opened in
// headless Chromium.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/asan_build.h"

namespace {
namespace fs = std::filesystem;
using nlohmann::json;

struct Outcome {
  int status;
  std::string out, err;
};

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A folder of this test process (ctest runs tests in parallel), removed at the end.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / (name + "_" + std::to_string(getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// Runs COMMAND (a shell command line) from the source folder.
Outcome shell(const std::string& command, const fs::path& tmp) {
  const std::string cmd = std::string("cd ") + EJ_SOURCE_DIR + " && " + command + " >" +
                          (tmp / "stdout").string() + " 2>" + (tmp / "stderr").string();
  const int raw = std::system(cmd.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(tmp / "stdout"), slurp(tmp / "stderr")};
}

Outcome edgejoule(const std::string& args, const fs::path& tmp) {
  return shell(std::string(EJ_BINARY) + " " + args, tmp);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

json readJson(const fs::path& file) {
  std::ifstream in(file);
  return json::parse(in);
}

TEST(PlotTest, RunPlotDrawsLabelledFiguresAndTheReport) {
  TempDir tmp("ej_report_run_plot");
  const fs::path out = tmp.path / "r";
  const auto r =
      edgejoule("run scenarios/seed-paper-pir.yaml -q --plot --out " + out.string(), tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* f : {"battery", "daily_energy", "breakdown", "loads"}) {
    const std::string png = slurp(out / "plots" / (std::string(f) + ".png"));
    ASSERT_GT(png.size(), 8u) << f;
    EXPECT_EQ(png.substr(1, 3), "PNG") << f;
    EXPECT_TRUE(fs::exists(out / "plots" / (std::string(f) + ".gp"))) << f;
  }
  const std::string battery = slurp(out / "plots/battery.svg");
  EXPECT_NE(battery.find("state of charge (%)"), std::string::npos);
  EXPECT_NE(battery.find("battery voltage (V)"), std::string::npos);
  EXPECT_NE(battery.find("time since start (days)"), std::string::npos);
  // The PIR node empties at 5.7257 d (README: during the sixth day's evening job).
  EXPECT_NE(battery.find("battery first empty at 5.726 d"), std::string::npos);
  const std::string daily = slurp(out / "plots/daily_energy.svg");
  EXPECT_NE(daily.find("charge per day (mAh/day)"), std::string::npos);
  // Five complete days at 350 mAh/day: the consumed column of the binned data.
  EXPECT_NE(slurp(out / "plots/daily_energy.csv").find("\n1,350,0,-350\n"), std::string::npos);
  // mcu: 2 h x 120 mA + 22 h x 5 mA = 350 mAh/day, labelled on its bar.
  const std::string breakdown = slurp(out / "plots/breakdown.svg");
  EXPECT_NE(breakdown.find(">350<"), std::string::npos);
  // The PIR's bar (0 A quiescent, 0 mAh/day) is under 5 % of the largest: not labelled.
  EXPECT_NE(breakdown.find("Totals labelled only for bars of at least 5 % of the largest; the "
                           "others (1) are in the table of report.html"),
            std::string::npos);
  EXPECT_NE(breakdown.find("mcu active"), std::string::npos);
  // The loads on a log axis, each state's bar labelled: 240 (active) and 110 (sleep).
  const std::string loads = slurp(out / "plots/loads.svg");
  EXPECT_NE(loads.find(">240<"), std::string::npos);
  EXPECT_NE(loads.find(">110<"), std::string::npos);
  EXPECT_EQ(slurp(out / "plots/loads.csv"),
            "item,charge_per_day_mAh\nmcu active,240\nmcu sleep,110\n");
  // The result folder appeared whole: no temporary sibling is left.
  for (const auto& e : fs::directory_iterator(tmp.path)) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }

  const std::string html = slurp(out / "report.html");
  EXPECT_EQ(count(html, "src=\"data:image/svg+xml;base64,"), 4u);
  // The page names the result folder, not the temporary one it was written in.
  EXPECT_NE(html.find("edgejoule report: r</title>"), std::string::npos);
  EXPECT_NE(html.find("5.7257 days"), std::string::npos);
  // The verdict first: the seed paper's PIR node lasts 5.7257 d, its MCU is its only load.
  EXPECT_NE(html.find("<p class=\"verdict\">The battery lasts 5.73 days. The largest drain is "
                      "<code>mcu</code>: 100.0 % of the consumption"),
            std::string::npos);
  EXPECT_NE(html.find("hw/mcu/seed-paper-generic.yaml"), std::string::npos);
  EXPECT_NE(html.find("seed paper, power estimate: 120 mA when active"), std::string::npos);
  EXPECT_NE(html.find("capacity: 2000 mAh"), std::string::npos);  // the scenario YAML
  // Missed work is answered too (without a harvester the battery's end is not an outage).
  EXPECT_NE(html.find("<h2>Missed work</h2>\n<p>None: the node never browned out, and no report "
                      "was dropped by the duty cycle.</p>"),
            std::string::npos);
}

// Runs RUN_ARGS with --plot, opens report.html in headless Chromium (Debian's) and checks
// that every one of its FIGURES figures decoded and nothing failed in the console; keeps a
// screenshot at the page's width for a human to look at, among the test outputs
// (build/<preset>/test-output/SHOT).
void expectReportLoadsInChromium(const std::string& runArgs, int figures, const std::string& shot,
                                 int height) {
  TempDir tmp("ej_report_chromium");
  const fs::path out = tmp.path / "r";
  const auto run = edgejoule("run " + runArgs + " -q --plot --out " + out.string(), tmp.path);
  ASSERT_EQ(run.status, 0) << run.err;
  // The page has no script of its own; a copy with one that counts decoded images tells
  // whether every figure loaded (naturalWidth > 0 once decoded).
  std::string page = slurp(out / "report.html");
  const std::string probe =
      "<script>window.addEventListener('load',()=>{document.body.dataset.loaded="
      "[...document.images].filter(i=>i.complete&&i.naturalWidth>0).length;});</script>";
  page.replace(page.find("</body>"), 7, probe + "</body>");
  std::ofstream(tmp.path / "probe.html") << page;
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--virtual-time-budget=5000 --enable-logging=stderr --v=0 --user-data-dir=" +
      (tmp.path / "profile").string();
  const auto dom = shell(
      "chromium " + flags + " --dump-dom file://" + (tmp.path / "probe.html").string(), tmp.path);
  ASSERT_EQ(dom.status, 0) << "chromium (Debian package chromium, tools/install-deps): " << dom.err;
  EXPECT_NE(dom.out.find("data-loaded=\"" + std::to_string(figures) + "\""), std::string::npos)
      << dom.out.substr(0, 400);
  EXPECT_NE(dom.out.find("Where the charge goes"), std::string::npos);
  // Console messages and uncaught errors are logged as "CONSOLE(...)" / "Uncaught".
  const auto logged =
      shell("chromium " + flags + " --dump-dom file://" + (out / "report.html").string(), tmp.path);
  EXPECT_EQ(logged.err.find("Uncaught"), std::string::npos) << logged.err;
  EXPECT_EQ(logged.err.find("CONSOLE"), std::string::npos) << logged.err;
  EXPECT_EQ(logged.err.find(":ERROR:CONSOLE"), std::string::npos) << logged.err;
  const auto taken = shell("chromium " + flags + " --window-size=1200," + std::to_string(height) +
                               " --screenshot=" + (tmp.path / shot).string() + " file://" +
                               (out / "report.html").string(),
                           tmp.path);
  EXPECT_EQ(taken.status, 0) << taken.err;
  ASSERT_TRUE(fs::exists(tmp.path / shot)) << taken.err;
  EXPECT_GT(fs::file_size(tmp.path / shot), 20000u);
  fs::create_directories(EJ_TEST_OUTPUT);
  fs::copy_file(tmp.path / shot, fs::path(EJ_TEST_OUTPUT) / shot,
                fs::copy_options::overwrite_existing);
}

TEST(PlotTest, ReportLoadsInHeadlessChromiumWithoutErrors) {
  expectReportLoadsInChromium("scenarios/seed-paper-pir-solar.yaml --set horizon=30d", 4,
                              "report.png", 2400);
}

// Issue 18 asks for a screenshot of the reference node's report (scenarios/reference-node.yaml,
// its whole year): kept as test-output/report-reference-node.png, the page's first 4,000 px.
TEST(PlotTest, ReferenceNodeReportLoadsInHeadlessChromium) {
  expectReportLoadsInChromium("scenarios/reference-node.yaml", 4, "report-reference-node.png",
                              4000);
}

TEST(PlotTest, MissingGnuplotIsOneClearLine) {
  TempDir tmp("ej_report_no_gnuplot");
  ASSERT_EQ(
      edgejoule("run scenarios/seed-paper-pir.yaml -q --out " + (tmp.path / "r").string(), tmp.path)
          .status,
      0);
  const auto r =
      shell("PATH=/nonexistent " + std::string(EJ_BINARY) + " plot " + (tmp.path / "r").string(),
            tmp.path);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "edgejoule: gnuplot not found on the PATH: install it (Debian: gnuplot-nox; "
            "tools/install-deps)\n");
  const auto notResults = edgejoule("plot " + tmp.path.string(), tmp.path);
  EXPECT_EQ(notResults.status, 2);
  EXPECT_NE(notResults.err.find("neither summary.json"), std::string::npos) << notResults.err;
}

// The value changes of a VCD file: time (ns) -> full signal name -> value text.
std::map<long long, std::map<std::string, std::string>> readVcd(const fs::path& file) {
  std::ifstream in(file);
  std::map<std::string, std::string> names;  // id -> node.mcu.current_mA
  std::vector<std::string> scopes;
  std::map<long long, std::map<std::string, std::string>> changes;
  long long now = 0;
  std::string word;
  while (in >> word) {
    if (word == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      scopes.push_back(name);
    } else if (word == "$upscope") {
      scopes.pop_back();
    } else if (word == "$var") {
      std::string type, width, id, name;
      in >> type >> width >> id >> name;
      std::string full;
      for (std::size_t i = 1; i < scopes.size(); ++i) full += scopes[i] + ".";  // skip "SystemC"
      names[id] = full + name;
    } else if (word[0] == '#') {
      now = std::stoll(word.substr(1));
    } else if (word[0] == 'r' || word[0] == 'b') {
      std::string id;
      in >> id;
      changes[now][names[id]] = word.substr(1);
    } else if ((word[0] == '0' || word[0] == '1') && word.size() > 1) {
      changes[now][names[word.substr(1)]] = word.substr(0, 1);
    }
  }
  return changes;
}

TEST(VcdTest, TracesPowerStatesCurrentsAndStateOfCharge) {
  TempDir tmp("ej_report_vcd");
  const auto r =
      edgejoule("run scenarios/seed-paper-pir-solar.yaml -q --set horizon=1d --out " +
                    (tmp.path / "r").string() + " --vcd " + (tmp.path / "trace.vcd").string(),
                tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;  // -q: not even SystemC's note on the time unit
  const auto vcd = readVcd(tmp.path / "trace.vcd");
  ASSERT_TRUE(vcd.count(0));
  // Time zero: the MCU asleep at 5 mA, full battery at its nominal 3.7 V.
  EXPECT_EQ(vcd.at(0).at("node.mcu.current_mA"), "5");
  EXPECT_EQ(vcd.at(0).at("node.state_of_charge"), "1");
  EXPECT_EQ(vcd.at(0).at("node.voltage_V"), "3.7");
  // 08:00 (28,800 s): motion, the MCU active at 120 mA (state 0, "active"); the battery
  // has given 8 h x 5 mA = 40 mAh of 2000: 0.98.
  const long long at8 = 28800LL * 1000000000;
  EXPECT_EQ(vcd.at(at8).at("node.mcu.current_mA"), "120");
  EXPECT_EQ(vcd.at(at8).at("node.mcu.state"), "0");
  EXPECT_NEAR(std::stod(vcd.at(at8).at("node.state_of_charge")), 0.98, 1e-12);
  // 09:00: asleep again after 1 h at 120 mA: 2000 - 40 - 120 = 1840 mAh, 0.92.
  const long long at9 = 32400LL * 1000000000;
  EXPECT_EQ(vcd.at(at9).at("node.mcu.current_mA"), "5");
  EXPECT_NEAR(std::stod(vcd.at(at9).at("node.state_of_charge")), 0.92, 1e-12);
  // 10:00: the panel's window opens, 200 mA.
  const long long at10 = 36000LL * 1000000000;
  EXPECT_EQ(vcd.at(at10).at("node.harvester.current_mA"), "200");
  EXPECT_EQ(vcd.at(at10).at("node.harvest_mA"), "200");
}

// A summary without the figures that belong to the kernel, not the node: wall time, delta
// cycles, and how many nodes the kernel hosted.
json withoutKernelFigures(json summary) {
  for (const char* key : {"wall_time_s", "delta_cycles", "nodes_in_kernel"}) {
    summary["simulation"].erase(key);
  }
  return summary;
}

// 2 x 2 grid of 3-day runs of the seed paper's PIR node.
const std::string kGrid =
    "sweep scenarios/seed-paper-pir-solar.yaml --set horizon=3d "
    "--set 'node.mcu.states.active=60 mA,120 mA' --set 'node.harvester.current=100 mA,200 mA'";

TEST(SweepTest, GridTableMatchesHandFiguresAndSingleRuns) {
  TempDir tmp("ej_report_sweep");
  const fs::path out = tmp.path / "s";
  // Two workers, each simulating two points side by side in one kernel.
  const auto r = edgejoule(kGrid + " -j 2 --shard 2 --json --plot --out " + out.string(), tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto outcome = json::parse(r.out);
  EXPECT_EQ(outcome["points"], 4);
  EXPECT_EQ(outcome["ran"], 4);
  EXPECT_TRUE(r.err.empty()) << r.err;  // no progress bar when stderr is no terminal

  std::ifstream csv(out / "sweep.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("point,horizon,node.mcu.states.active,node.harvester.current,"
                         "battery_life_days,energy_neutral,daily.consumed_mAh,"
                         "daily.harvested_mAh,daily.net_mAh",
                         0),
            0u)
      << header;
  std::vector<std::string> rows;
  while (std::getline(csv, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), 4u);
  // Consumed: 2 h x active + 22 h x 5 mA; harvested: 3 h x current.
  //   60 mA: 230 mAh/day; 120 mA: 350. 100 mA: 300 mAh/day; 200 mA: 600.
  EXPECT_EQ(rows[0].rfind("0000,3d,60 mA,100 mA,,true,230,300,70,", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind("0001,3d,60 mA,200 mA,,true,230,600,370,", 0), 0u) << rows[1];
  EXPECT_EQ(rows[2].rfind("0002,3d,120 mA,100 mA,,false,350,300,-50,", 0), 0u) << rows[2];
  EXPECT_EQ(rows[3].rfind("0003,3d,120 mA,200 mA,,true,350,600,250,", 0), 0u) << rows[3];

  // A point is exactly the single run with the same --set values.
  const auto single = edgejoule(
      "run scenarios/seed-paper-pir-solar.yaml -q --set horizon=3d "
      "--set 'node.mcu.states.active=120 mA' "
      "--set 'node.harvester.current=100 mA' --out " +
          (tmp.path / "single").string(),
      tmp.path);
  ASSERT_EQ(single.status, 0) << single.err;
  auto a = readJson(out / "points/0002/summary.json");
  auto b = readJson(tmp.path / "single/summary.json");
  EXPECT_EQ(a["simulation"]["nodes_in_kernel"], 2);
  EXPECT_EQ(withoutKernelFigures(a), withoutKernelFigures(b));

  // --plot: one figure per swept key, accuracy skipped (no `model` swept).
  EXPECT_TRUE(fs::exists(out / "plots/sweep_vs_node.mcu.states.active.png"));
  EXPECT_TRUE(fs::exists(out / "plots/sweep_vs_node.harvester.current.svg"));
  const std::string svg = slurp(out / "plots/sweep_vs_node.mcu.states.active.svg");
  EXPECT_NE(svg.find("node.mcu.states.active (mA)"), std::string::npos);
  EXPECT_NE(svg.find("net = harvested - consumed (mAh/day)"), std::string::npos);
  const std::string html = slurp(out / "report.html");
  EXPECT_NE(html.find("Not drawn: accuracy vs battery life: no `model` key is swept"),
            std::string::npos);
}

// Nodes whose batteries empty early leave the shared kernel running for the others: three
// PIR nodes without a harvester for 10 days, in one kernel. A day costs 2 h x active +
// 22 h x 5 mA: 170, 230 and 350 mAh at 30, 60 and 120 mA; the 2000 mAh battery lasts past
// the horizon, about 8.7 days, and 5 d 17:25 (worked in tests/scenarios).
TEST(SweepTest, NodesEndingEarlyInOneKernelMatchTheirSingleRuns) {
  TempDir tmp("ej_report_shard");
  const fs::path out = tmp.path / "s";
  const std::string sets = " --set horizon=10d --set 'node.mcu.states.active=30 mA,60 mA,120 mA'";
  const auto r = edgejoule(
      "sweep scenarios/seed-paper-pir.yaml" + sets + " -j 1 --shard 3 --json --out " + out.string(),
      tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::vector<std::string> currents = {"30 mA", "60 mA", "120 mA"};
  for (std::size_t i = 0; i < currents.size(); ++i) {
    const auto single = edgejoule(
        "run scenarios/seed-paper-pir.yaml -q --set horizon=10d "
        "--set 'node.mcu.states.active=" +
            currents[i] + "' --out " + (tmp.path / ("single" + std::to_string(i))).string(),
        tmp.path);
    ASSERT_EQ(single.status, 0) << single.err;
    auto a = readJson(out / ("points/000" + std::to_string(i)) / "summary.json");
    auto b = readJson(tmp.path / ("single" + std::to_string(i)) / "summary.json");
    EXPECT_EQ(a["simulation"]["nodes_in_kernel"], 3);
    EXPECT_EQ(withoutKernelFigures(a), withoutKernelFigures(b)) << currents[i];
    for (const char* file : {"daily.csv", "timeseries.csv"}) {
      EXPECT_EQ(slurp(out / ("points/000" + std::to_string(i)) / file),
                slurp(tmp.path / ("single" + std::to_string(i)) / file))
          << currents[i] << " " << file;
    }
  }
  const auto s30 = readJson(out / "points/0000/summary.json");
  const auto s120 = readJson(out / "points/0002/summary.json");
  EXPECT_TRUE(s30["battery_life_days"].is_null());
  EXPECT_NEAR(s30["simulated_days"].get<double>(), 10.0, 1e-12);
  EXPECT_NEAR(s120["battery_life_days"].get<double>(), 5.0 + (17.0 + 25.0 / 60.0) / 24.0, 1e-12);
}

// Without --shard each point runs in a process forked from its worker, alone in its kernel:
// its folder is then the lone run's byte for byte (but for the wall time in summary.json),
// including the solar node whose brown-out instant a shared kernel moves in the 13th digit
// (IdenticalSolarNodesInOneKernelMatchTheirSingleRun). Three points on one worker: the
// first two share nothing but the worker, the third is a failure that must not take them
// down and keeps its own message. --json tells where the time went, point by point.
TEST(SweepTest, ForkedPointsAreTheLoneRunsByteForByte) {
  TempDir tmp("ej_report_fork");
  const fs::path out = tmp.path / "s";
  const std::string panel = "node.harvester.panel.part=hw/solar/seeed_panel_0w5_55x70.yaml";
  const auto r = edgejoule("sweep scenarios/trieste-solar-lorawan.yaml --set '" + panel +
                               "' --set horizon=15d,2d -j 1 --json --out " + out.string(),
                           tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto outcome = json::parse(r.out);
  EXPECT_EQ(outcome["ran"], 2);
  // Every point the one worker ran has its load, run and write timed; the worker started
  // once (the seconds themselves depend on the machine, so only their presence is checked).
  const auto& phases = outcome["phases_s"];
  EXPECT_EQ(phases["points"], 2);
  for (const char* k : {"start", "fork", "load", "simulate", "write"}) {
    EXPECT_GT(phases[k].get<double>(), 0) << k;
  }
  for (const auto& [point, horizon] :
       {std::pair<std::string, std::string>{"0000", "15d"}, {"0001", "2d"}}) {
    const fs::path lone = tmp.path / ("one" + horizon);
    const auto single = edgejoule("run scenarios/trieste-solar-lorawan.yaml -q --set '" + panel +
                                      "' --set horizon=" + horizon + " --out " + lone.string(),
                                  tmp.path);
    ASSERT_EQ(single.status, 0) << single.err;
    auto a = readJson(out / "points" / point / "summary.json");
    auto b = readJson(lone / "summary.json");
    EXPECT_EQ(a["simulation"]["nodes_in_kernel"], 1);
    a["simulation"].erase("wall_time_s");
    b["simulation"].erase("wall_time_s");
    EXPECT_EQ(a, b) << point;  // bit for bit, delta cycles too
    for (const char* file : {"daily.csv", "timeseries.csv"}) {
      EXPECT_EQ(slurp(out / "points" / point / file), slurp(lone / file)) << point << " " << file;
    }
  }
  EXPECT_NEAR(readJson(out / "points/0000/summary.json")["battery_life_days"].get<double>(), 11.750,
              0.001);

  // A point that fails in its forked process (an overload found during the run, which no
  // check before the sweep can see): the worker goes on with the next, and the sweep names
  // the failed point with the part's own message (cli_test's OverloadDuringTheRunIsOneLine).
  const fs::path bad = tmp.path / "bad";
  const auto f = edgejoule(
      "sweep tests/power/fixtures/regulator-mcp1700.yaml --set horizon=1d "
      "--set 'node.regulator.max_output_current=250mA,10mA,200mA' -j 1 "
      "--out " +
          bad.string(),
      tmp.path);
  EXPECT_EQ(f.status, 1);
  EXPECT_NE(f.err.find("1 of 3 points failed (the others are kept); first: point points/0001 "
                       "(horizon=1d, node.regulator.max_output_current=10mA): "),
            std::string::npos)
      << f.err;
#ifndef EJ_TEST_UNDER_ASAN
  // The point's own first line. Under ASan that line is ASan's warning on SystemC's coroutine
  // switch (tests/asan_build.h), printed before the part's message, so only the point is checked.
  EXPECT_NE(f.err.find("node.regulator.max_output_current=10mA): edgejoule: --set "
                       "node.regulator.max_output_current: at t = "),
            std::string::npos)
      << f.err;
  EXPECT_NE(f.err.find("exceeds its 10.0 mA"), std::string::npos) << f.err;
#endif
  EXPECT_TRUE(fs::exists(bad / "points/0000/summary.json"));
  EXPECT_TRUE(fs::exists(bad / "points/0002/summary.json"));
  EXPECT_FALSE(fs::exists(bad / "points/0001"));
}

// Solar nodes that brown out and restart, twice the same point in one kernel: the
// harvester must read its own battery's state, whatever the other node did at that instant.
// The small panel's node first browns out at 11.750 d (README, Trieste).
// Two documents equal but for numbers within 1e-9 relative (1e-12 absolute near zero).
void expectClose(const json& a, const json& b, const std::string& path) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    EXPECT_LE(std::abs(x - y), std::max(1e-12, 1e-9 * std::max(std::abs(x), std::abs(y))))
        << path << ": " << x << " vs " << y;
    return;
  }
  ASSERT_EQ(a.type(), b.type()) << path;
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << path;
    for (const auto& [k, v] : a.items()) {
      ASSERT_TRUE(b.contains(k)) << path << "." << k;
      expectClose(v, b[k], path + "." + k);
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << path;
    for (std::size_t i = 0; i < a.size(); ++i) expectClose(a[i], b[i], path);
  } else {
    EXPECT_EQ(a, b) << path;
  }
}

// Two CSV texts cell by cell, numbers within one unit of their last printed digit (9
// significant digits: at most 1e-8 relative).
void expectCsvClose(const std::string& a, const std::string& b, const std::string& what) {
  std::istringstream x(a), y(b);
  std::string lx, ly;
  std::size_t line = 0;
  while (std::getline(x, lx)) {
    ++line;
    ASSERT_TRUE(std::getline(y, ly)) << what << ": line " << line << " missing";
    std::istringstream cx(lx), cy(ly);
    std::string vx, vy;
    while (std::getline(cx, vx, ',')) {
      ASSERT_TRUE(std::getline(cy, vy, ',')) << what << ": line " << line;
      char* ex = nullptr;
      char* ey = nullptr;
      const double nx = std::strtod(vx.c_str(), &ex), ny = std::strtod(vy.c_str(), &ey);
      if (!vx.empty() && *ex == '\0' && !vy.empty() && *ey == '\0') {
        EXPECT_LE(std::abs(nx - ny), std::max(1e-12, 1e-8 * std::max(std::abs(nx), std::abs(ny))))
            << what << ": line " << line << ": " << vx << " vs " << vy;
      } else {
        EXPECT_EQ(vx, vy) << what << ": line " << line;
      }
    }
  }
  EXPECT_FALSE(std::getline(y, ly)) << what << ": extra lines";
}

TEST(SweepTest, IdenticalSolarNodesInOneKernelMatchTheirSingleRun) {
  TempDir tmp("ej_report_shard_solar");
  const fs::path out = tmp.path / "s";
  const std::string panel = "node.harvester.panel.part=hw/solar/seeed_panel_0w5_55x70.yaml";
  const auto r = edgejoule("sweep scenarios/trieste-solar-lorawan.yaml --set '" + panel +
                               "' --set horizon=15d,15d -j 1 --shard 2 --out " + out.string(),
                           tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto single = edgejoule("run scenarios/trieste-solar-lorawan.yaml -q --set '" + panel +
                                    "' --set horizon=15d --out " + (tmp.path / "one").string(),
                                tmp.path);
  ASSERT_EQ(single.status, 0) << single.err;
  const auto lone = withoutKernelFigures(readJson(tmp.path / "one/summary.json"));
  EXPECT_GT(lone["outages"]["count"].get<int>(), 0);
  EXPECT_NEAR(lone["battery_life_days"].get<double>(), 11.750, 0.001);
  // Equal to 1e-9 relative, not bit for bit: with the regulator's supply limits this node's
  // brown-out instant differs from the lone run's in the 13th digit (11.749650626526622 d
  // against ...525197 d, about 9 us), an ordering effect of the shared kernel not yet found.
  for (const char* point : {"points/0000", "points/0001"}) {
    const auto shared = readJson(out / point / "summary.json");
    EXPECT_EQ(shared["simulation"]["nodes_in_kernel"], 2);
    expectClose(withoutKernelFigures(shared), lone, point);
    expectCsvClose(slurp(out / point / "timeseries.csv"), slurp(tmp.path / "one/timeseries.csv"),
                   point);
  }
}

// Same-instant events: SystemC runs them in an order that the other nodes in the kernel
// change. tests/report/fixtures/tie.yaml puts a job's end and its next request on one instant
// every 20 minutes; eight copies in one kernel must each give the lone run, files and all.
// By hand: the first request at 600 s wakes the MCU (1 s) for 599 s of work, which ends at
// 1200 s just as the next request comes; it is served at once (no idle, no wake-up) and ends
// at 1799 s, a second before the next request, so the MCU sleeps 1 s and wakes 1 s. Asleep:
// the first 600 s, then 1 s in each of the 71 periods of 1200 s from 1200 s to the day's end.
TEST(SweepTest, SameInstantEventsInOneKernelMatchTheLoneRun) {
  TempDir tmp("ej_report_shard_tie");
  const fs::path out = tmp.path / "s";
  const auto r = edgejoule(
      "sweep tests/report/fixtures/tie.yaml --set horizon=1d,1d,1d,1d,1d,1d,1d,1d"
      " -j 1 --shard 8 --out " +
          out.string(),
      tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto single = edgejoule(
      "run tests/report/fixtures/tie.yaml -q --set horizon=1d --out " + (tmp.path / "one").string(),
      tmp.path);
  ASSERT_EQ(single.status, 0) << single.err;
  const auto lone = withoutKernelFigures(readJson(tmp.path / "one/summary.json"));
  EXPECT_EQ(lone["components"]["mcu"]["states"]["sleep"]["time_s"].get<double>(), 600 + 71);
  EXPECT_EQ(lone["jobs"]["tick"]["runs"].get<int>(), 143);
  for (int i = 0; i < 8; ++i) {
    const fs::path point = out / ("points/000" + std::to_string(i));
    EXPECT_EQ(withoutKernelFigures(readJson(point / "summary.json")), lone) << point;
    EXPECT_EQ(slurp(point / "daily.csv"), slurp(tmp.path / "one/daily.csv")) << point;
    EXPECT_EQ(slurp(point / "timeseries.csv"), slurp(tmp.path / "one/timeseries.csv")) << point;
  }
}

TEST(SweepTest, ResumesOnlyTheMissingPoints) {
  TempDir tmp("ej_report_resume");
  const fs::path out = tmp.path / "s";
  ASSERT_EQ(edgejoule(kGrid + " -j 1 --out " + out.string(), tmp.path).status, 0);
  // As a kill leaves it: one point never finished (no folder, a stale temporary one).
  fs::remove_all(out / "points/0001");
  fs::create_directories(out / "points/.0001.tmp-999999");
  std::ofstream(out / "points/.0001.tmp-999999/summary.json") << "{";
  // As a failed attempt leaves it (issue 18: it stayed after the resume that ran the point).
  std::ofstream(out / "points/.0001.stderr") << "edgejoule: timeseries.csv: cannot write\n";
  const auto r = edgejoule(kGrid + " -j 1 --json --out " + out.string(), tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto outcome = json::parse(r.out);
  EXPECT_EQ(outcome["already_done"], 3);
  EXPECT_EQ(outcome["ran"], 1);
  EXPECT_FALSE(fs::exists(out / "points/.0001.tmp-999999"));
  EXPECT_FALSE(fs::exists(out / "points/.0001.stderr"));
  EXPECT_NEAR(readJson(out / "points/0001/summary.json")["daily"]["harvested_mAh"].get<double>(),
              600.0, 1e-9);
}

// Issue 18, on a disk that fills up: a 1 MiB tmpfs of the test's own (mounted in a user and
// mount namespace, `unshare -rm`; skipped where the system allows none). First attempt: 900
// KiB taken, two of four points fail with their message. Resumed with 4 KiB left: the worker
// cannot write even its message, which used to be "failed without a message"; the sweep now
// says why. Resumed with room again: it finishes, and the failed attempts' `.NNNN.stderr`
// files, which used to stay in points/, are gone.
TEST(SweepTest, FullDiskIsNamedAndAResumeLeavesNoStaleMessages) {
  TempDir tmp("ej_report_full_disk");
  const fs::path disk = tmp.path / "disk";
  fs::create_directories(disk);
  const std::string sweep = std::string(EJ_BINARY) +
                            " sweep scenarios/seed-paper-pir-solar.yaml -j 1 --set "
                            "horizon=20d,21d,22d,23d --out " +
                            (disk / "s").string();
  // The resume with 4 KiB left first removes what the failed attempt left in points/ (its
  // `.NNNN.stderr` files, any `.NNNN.tmp-PID` folder): so does the script, so that exactly
  // 4 KiB are left then (room for the shard file, none for a worker's message).
  const std::string script =
      "D='" + disk.string() + "'\nT='" + tmp.path.string() + "'\nSWEEP='" + sweep + "'\n" + R"(
mount -t tmpfs -o size=1m tmpfs "$D" || exit 99
head -c 900k /dev/zero >"$D/filler"
$SWEEP >/dev/null 2>"$T/first"; echo $? >"$T/first.status"
rm -rf "$D"/s/points/.0*
avail=$(df -k "$D" | tail -1 | awk '{print $4}')
head -c $(( (avail - 4) * 1024 )) /dev/zero >"$D/filler2" 2>/dev/null
$SWEEP >/dev/null 2>"$T/full"; echo $? >"$T/full.status"
rm "$D/filler" "$D/filler2"
$SWEEP >/dev/null 2>"$T/again"; echo $? >"$T/again.status"
ls -a "$D/s/points" >"$T/listing"
)";
  std::ofstream(tmp.path / "full.sh") << script;
  const auto r = shell("unshare -rm sh " + (tmp.path / "full.sh").string(), tmp.path);
  if (r.status == 99 || !fs::exists(tmp.path / "first.status")) {
    GTEST_SKIP() << "no tmpfs of the test's own (unshare -rm): " << r.err;
  }
  EXPECT_EQ(slurp(tmp.path / "first.status"), "1\n") << slurp(tmp.path / "first");
  EXPECT_NE(slurp(tmp.path / "first").find("No space left on device"), std::string::npos)
      << slurp(tmp.path / "first");
  const std::string full = slurp(tmp.path / "full");
  EXPECT_EQ(slurp(tmp.path / "full.status"), "1\n") << full;
  EXPECT_EQ(full.find("failed without a message"), std::string::npos) << full;
  // Which point fails first depends on the order they run in (longest horizon first).
  EXPECT_NE(full.find("d): exited with status "), std::string::npos) << full;
  EXPECT_NE(full.find(" (horizon=2"), std::string::npos) << full;
  EXPECT_NE(
      full.find(" without a message: the disk holding " + (disk / "s").string() + " is full ("),
      std::string::npos)
      << full;
  EXPECT_EQ(slurp(tmp.path / "again.status"), "0\n") << slurp(tmp.path / "again");
  const std::string listing = slurp(tmp.path / "listing");
  EXPECT_EQ(listing, ".\n..\n0000\n0001\n0002\n0003\n") << listing;
}

TEST(SweepTest, KilledSweepFinishesWhenStartedAgain) {
  TempDir tmp("ej_report_kill");
  const fs::path out = tmp.path / "s";
  const std::string args = std::string(EJ_BINARY) +
                           " sweep scenarios/seed-paper-pir-solar.yaml -j 2 --out " + out.string() +
                           " --set 'horizon=20d,21d,22d,23d,24d,25d,26d,27d'";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c",
          ("cd " + std::string(EJ_SOURCE_DIR) + " && exec " + args + " >/dev/null 2>&1").c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill it as soon as its first point is done (or after 20 s).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!fs::exists(out / "points/0000/summary.json") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_FALSE(fs::exists(out / "sweep.csv"));
  const auto r = shell(args + " --json", tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto outcome = json::parse(r.out);
  EXPECT_EQ(outcome["points"], 8);
  EXPECT_GE(outcome["already_done"].get<int>(), 1);
  EXPECT_EQ(outcome["already_done"].get<int>() + outcome["ran"].get<int>(), 8);
  for (int i = 0; i < 8; ++i) {
    const auto s = readJson(out / ("points/000" + std::to_string(i)) / "summary.json");
    EXPECT_NEAR(s["simulated_days"].get<double>(), 20.0 + i, 1e-9);
  }
  for (const auto& e : fs::directory_iterator(out / "points")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

TEST(SweepTest, RefusesAnotherSweepsFolderAndBadLists) {
  TempDir tmp("ej_report_refuse");
  const fs::path out = tmp.path / "s";
  ASSERT_EQ(edgejoule(kGrid + " --out " + out.string(), tmp.path).status, 0);
  const auto other = edgejoule(
      "sweep scenarios/seed-paper-pir-solar.yaml --set horizon=4d "
      "--out " +
          out.string(),
      tmp.path);
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("holds another sweep (the --set values differ)"), std::string::npos)
      << other.err;
  const auto zip = edgejoule(
      "sweep scenarios/seed-paper-pir-solar.yaml --zip "
      "--set horizon=1d,2d --set 'node.mcu.states.active=1 mA,2 mA,3 mA' "
      "--out " +
          (tmp.path / "z").string(),
      tmp.path);
  EXPECT_EQ(zip.status, 2);
  EXPECT_EQ(zip.err,
            "edgejoule: --zip: --set node.mcu.states.active has 3 values where another list "
            "has 2\n");
  const auto bad = edgejoule(
      "sweep scenarios/seed-paper-pir-solar.yaml "
      "--set 'node.battery.capacity=1 Ah,3 V' --out " +
          (tmp.path / "b").string(),
      tmp.path);
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err, "--set node.battery.capacity: expected a charge (e.g. 2000 mAh), got '3 V'\n");
  EXPECT_FALSE(fs::exists(tmp.path / "b"));
}

// Monte Carlo on the seed paper's PIR node for 3 days: a day costs 2 h x active + 22 h x
// 5 mA, so each sample's consumption is 2 h x its drawn current + 110 mAh (hand figure); a
// 2000 mAh battery outlives 3 days at any of them, so every life is censored.
const std::string kMc =
    "mc scenarios/seed-paper-pir.yaml --set horizon=3d --seed 5 "
    "--vary 'node.mcu.states.active=uniform(60 mA, 120 mA)'";

std::vector<std::vector<std::string>> csvRows(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells(1);
    for (char c : line) {
      if (c == ',') {
        cells.emplace_back();
      } else {
        cells.back().push_back(c);
      }
    }
    rows.push_back(cells);
  }
  return rows;
}

std::size_t columnOf(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  EXPECT_NE(it, header.end()) << name;
  return static_cast<std::size_t>(it - header.begin());
}

TEST(McTest, SamplesMatchHandFiguresWhateverTheWorkers) {
  TempDir tmp("ej_mc_samples");
  const auto a =
      edgejoule(kMc + " --samples 12 -j 1 --json --out " + (tmp.path / "a").string(), tmp.path);
  ASSERT_EQ(a.status, 0) << a.err;
  const auto b = edgejoule(
      kMc + " --samples 12 -j 2 --shard 2 --json --plot --out " + (tmp.path / "b").string(),
      tmp.path);
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(slurp(tmp.path / "a/mc.csv"), slurp(tmp.path / "b/mc.csv"));
  const auto rows = csvRows(tmp.path / "a/mc.csv");
  ASSERT_EQ(rows.size(), 13u);
  const auto& h = rows[0];
  EXPECT_EQ(h[0], "sample");
  EXPECT_EQ(h[1], "horizon");
  EXPECT_EQ(h[2], "output.timeseries");  // mc's own --set (McTest.SamplesWriteTheirSeries...)
  EXPECT_EQ(h[3], "node.mcu.states.active");
  const auto consumed = columnOf(h, "daily.consumed_mAh"), life = columnOf(h, "battery_life_days"),
             projected = columnOf(h, "projected_life_days");
  std::vector<double> values;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const double current = std::stod(rows[r][3]);  // "97.3 mA"
    EXPECT_GE(current, 60);
    EXPECT_LE(current, 120);
    EXPECT_NE(rows[r][3].find(" mA"), std::string::npos);
    // 9 significant digits in the table: 1e-6 relative.
    EXPECT_NEAR(std::stod(rows[r][consumed]), 2 * current + 110, 350e-6) << rows[r][3];
    EXPECT_EQ(rows[r][life], "");
    // Projected: 3 days + what is left (2000 - 3 c) over c a day = 2000 mAh / c.
    EXPECT_NEAR(std::stod(rows[r][projected]), 2000 / std::stod(rows[r][consumed]), 1e-6);
    values.push_back(std::stod(rows[r][consumed]));
  }
  const auto s = readJson(tmp.path / "a/mc_summary.json");
  const auto& c = s["outputs"]["daily.consumed_mAh"];
  std::sort(values.begin(), values.end());
  // P50 of 12 = X_(6), P90 = X_(11) (k = ceil(p n)); P10's 95 % interval needs a rank below 1.
  EXPECT_EQ(c["percentiles"]["p50"]["value"].get<double>(), values[5]);
  EXPECT_EQ(c["percentiles"]["p90"]["value"].get<double>(), values[10]);
  EXPECT_TRUE(c["percentiles"]["p10"]["ci_lower"].is_null());
  double mean = 0;
  for (double v : values) mean += v / 12;
  EXPECT_NEAR(c["mean"].get<double>(), mean, 1e-9 * mean);  // rounding of the sum
  const auto& l = s["outputs"]["battery_life_days"];
  EXPECT_EQ(l["censored"], 12);
  EXPECT_TRUE(l["percentiles"]["p50"]["value"].is_null());
  EXPECT_NE(l["censoring"].get<std::string>().find("right-censored: 12 of 12"), std::string::npos);
  // No battery emptied: the figure shows the projected life instead.
  EXPECT_TRUE(fs::exists(tmp.path / "b/plots/mc_life_cdf.png"));
  EXPECT_NE(slurp(tmp.path / "b/plots/mc_life_cdf.svg").find("projected battery life (days)"),
            std::string::npos);
}

// Without -j, as many workers as the CPUs the program may run on: one when pinned to one CPU
// with taskset (as in a one-CPU cpuset, or a Slurm job that binds its task to one CPU),
// however many the machine has; otherwise the CPUs of this test's own affinity mask
// (sched_getaffinity). On a one-CPU machine both are 1 and the first part proves nothing.
TEST(McTest, DefaultWorkersAreTheCpusTheProgramMayUse) {
  if (std::system("command -v taskset >/dev/null 2>&1") != 0) GTEST_SKIP() << "no taskset";
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  int first = 0;
  while (!CPU_ISSET(first, &set)) ++first;  // the mask may not hold CPU 0 (a CI cpuset)
  TempDir tmp("ej_mc_cpus");
  const auto one = shell("taskset -c " + std::to_string(first) + " " + std::string(EJ_BINARY) +
                             " " + kMc + " --samples 2 --json --out " + (tmp.path / "one").string(),
                         tmp.path);
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_EQ(json::parse(one.out)["workers"], 1);
  const auto all =
      edgejoule(kMc + " --samples 2 --json --out " + (tmp.path / "all").string(), tmp.path);
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(json::parse(all.out)["workers"], CPU_COUNT(&set));
}

// A study writes its folder's path into JSON files, which hold UTF-8 only: an --out that is
// not UTF-8 is one line and exit 2, before anything is made (it used to be nlohmann's "invalid
// UTF-8 byte at index 12" after the folder, its marker and its definition were written).
TEST(McTest, AnOutFolderThatIsNotUtf8IsRefusedBeforeAnythingIsWritten) {
  TempDir tmp("ej_mc_utf8");
  const fs::path out = tmp.path / "bad\xff";
  const auto r = edgejoule(kMc + " --samples 2 --out '" + out.string() + "'", tmp.path);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "edgejoule: --out " + out.string() +
                       ": not UTF-8; a study writes its paths into JSON files, which hold "
                       "UTF-8 only\n");
  EXPECT_FALSE(fs::exists(out));
}

TEST(McTest, GrowsByItsNewSamplesAndResumes) {
  TempDir tmp("ej_mc_grow");
  const fs::path out = tmp.path / "m";
  ASSERT_EQ(edgejoule(kMc + " --samples 6 --out " + out.string(), tmp.path).status, 0);
  fs::remove_all(out / "points/0002");
  const auto r = edgejoule(kMc + " --samples 10 --json --out " + out.string(), tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto o = json::parse(r.out);
  EXPECT_EQ(o["already_done"], 5);
  EXPECT_EQ(o["ran"], 5);
  // Sample i is drawn the same for any --samples: the first 6 rows equal a 6-sample run's.
  ASSERT_EQ(edgejoule(kMc + " --samples 6 --out " + (tmp.path / "six").string(), tmp.path).status,
            0);
  const auto grown = csvRows(out / "mc.csv"), six = csvRows(tmp.path / "six/mc.csv");
  ASSERT_EQ(grown.size(), 11u);
  for (std::size_t i = 0; i < six.size(); ++i) EXPECT_EQ(grown[i], six[i]) << i;
  const auto other = edgejoule(kMc + " --samples 6 --lhs --out " + out.string(), tmp.path);
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("holds another mc (--lhs differs)"), std::string::npos) << other.err;
}

// A sample's folder holds what `run` writes with output.timeseries=false (mc's default: the
// column says so), or, with --timeseries, the hourly series too. The series' samples settle
// the battery at each hour, which splits its integration: the figures agree to rounding.
TEST(McTest, SamplesWriteTheirSeriesOnlyWhenAsked) {
  TempDir tmp("ej_mc_series");
  ASSERT_EQ(edgejoule(kMc + " --samples 2 --out " + (tmp.path / "a").string(), tmp.path).status, 0);
  const auto r = edgejoule(
      kMc + " --samples 2 --timeseries --plot --out " + (tmp.path / "b").string(), tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto a = csvRows(tmp.path / "a/mc.csv"), b = csvRows(tmp.path / "b/mc.csv");
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(a[0][2], "output.timeseries");
  EXPECT_EQ(a[1][2], "false");
  EXPECT_EQ(b[0][2], "node.mcu.states.active");  // no such column when asked for the series
  const auto consumed = columnOf(a[0], "daily.consumed_mAh");
  for (std::size_t i = 1; i <= 2; ++i) {
    const std::string point = "points/000" + std::to_string(i - 1);
    EXPECT_TRUE(fs::exists(tmp.path / "a" / point / "daily.csv"));
    EXPECT_FALSE(fs::exists(tmp.path / "a" / point / "timeseries.csv"));
    EXPECT_EQ(csvRows(tmp.path / "b" / point / "timeseries.csv").size(), 3u * 24 + 2) << point;
    EXPECT_EQ(a[i][3], b[i][2]);  // the same draw
    // 9 significant digits in the table; the two integrations differ in the last bits.
    const double x = std::stod(a[i][consumed]);
    EXPECT_NEAR(x, std::stod(b[i][columnOf(b[0], "daily.consumed_mAh")]), 1e-8 * x);
  }
  // A sample's folder without a series is still plotted, without the battery figure.
  const auto p = edgejoule("plot " + (tmp.path / "a/points/0000").string(), tmp.path);
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_NE(p.out.find("not drawn: state of charge and voltage: no timeseries.csv"),
            std::string::npos)
      << p.out;
  EXPECT_FALSE(fs::exists(tmp.path / "a/points/0000/plots/battery.png"));
  EXPECT_TRUE(fs::exists(tmp.path / "a/points/0000/plots/daily_energy.png"));
}

// printf's %.6g: how report.html writes its numbers (fmt's {:.6g} prints the same).
std::string g6(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

// The report of a Monte Carlo whose batteries all empty within the run (the PIR node at 60 to
// 120 mA active lasts 5.7 to 8.7 days; 10 days run): its percentile table carries the numbers
// of mc_summary.json, each with its interval, and the figures and samples are in the page.
TEST(McTest, ReportTablesThePercentilesOfTheSummary) {
  TempDir tmp("ej_mc_report");
  const fs::path out = tmp.path / "m";
  const auto r = edgejoule(
      "mc scenarios/seed-paper-pir.yaml --set horizon=10d --seed 3 --samples 40 "
      "--vary 'node.mcu.states.active=uniform(60 mA, 120 mA)' --plot --json --out " +
          out.string(),
      tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["report"], (out / "report.html").string());
  const std::string html = slurp(out / "report.html");
  const auto s = readJson(out / "mc_summary.json");
  const auto& life = s["outputs"]["battery_life_days"];
  ASSERT_EQ(life["observed"], 40);
  // The row: the output, n, no censored sample, mean and sd, then P5..P95 with intervals. With
  // 40 samples P5 (rank 2) has no lower bound at 95 % (Binomial(40, 0.05) CDF(0) = 0.129).
  std::string rowText = "<tr><td><code>battery_life_days</code></td><td>40</td><td>0</td><td>" +
                        g6(life["mean"].get<double>()) + "</td><td>";
  char sd[64];
  std::snprintf(sd, sizeof sd, "%.4g", life["sd"].get<double>());
  rowText += std::string(sd) + "</td>";
  for (const char* p : {"p5", "p10", "p50", "p90", "p95"}) {
    const auto& q = life["percentiles"][p];
    auto text = [](const json& v) { return v.is_number() ? g6(v.get<double>()) : "n/a"; };
    rowText += "<td>" + text(q["value"]) + "<br><small>[" + text(q["ci_lower"]) + ", " +
               text(q["ci_upper"]) + "]</small></td>";
  }
  rowText += "</tr>";
  EXPECT_NE(html.find(rowText), std::string::npos) << rowText;
  EXPECT_TRUE(life["percentiles"]["p5"]["ci_lower"].is_null());
  EXPECT_NE(rowText.find("[n/a, "), std::string::npos);
  // Lives between 2000 mAh / (2 h x 120 mA + 110 mAh) = 5.7 days and 8.7 days (60 mA).
  const double p10 = life["percentiles"]["p10"]["value"].get<double>();
  EXPECT_GT(p10, 5.7);
  EXPECT_LT(p10, 8.8);
  EXPECT_NE(
      html.find("<p class=\"verdict\">Of 40 samples, at least 90 % have a battery life of P10 = " +
                g6(p10) + " days or more (the 95 % confidence interval of P10: [" +
                g6(life["percentiles"]["p10"]["ci_lower"].get<double>()) + ", "),
      std::string::npos);
  EXPECT_NE(html.find("<td><code>node.mcu.states.active</code></td><td>uniform(60 mA, 120 "
                      "mA)</td>"),
            std::string::npos);
  // The life CDF inline; every sample a row of the folded table.
  EXPECT_EQ(count(html, "src=\"data:image/svg+xml;base64,"),
            fs::exists(out / "plots/mc_december_net_cdf.svg") ? 2u : 1u);
  EXPECT_NE(html.find("<figcaption>Battery life over the samples"), std::string::npos);
  EXPECT_NE(html.find("<details><summary>All 40 samples (mc.csv)"), std::string::npos);
  const auto rows = csvRows(out / "mc.csv");
  ASSERT_EQ(rows.size(), 41u);
  EXPECT_NE(html.find("<tr><td>39</td><td>10d</td><td>false</td><td>" + rows[40][3] + "</td>"),
            std::string::npos);
  EXPECT_NE(html.find("capacity: 2000 mAh"), std::string::npos);  // the scenario YAML
  // `edgejoule plot` writes the same page again from the folder.
  const auto again = edgejoule("plot " + out.string(), tmp.path);
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(slurp(out / "report.html").find(rowText), std::string::npos);
}

TEST(McTest, BadVaryIsOneLocatedLineAndWritesNothing) {
  TempDir tmp("ej_mc_bad");
  const std::string base = "mc scenarios/seed-paper-pir.yaml --samples 3 --out " +
                           (tmp.path / "m").string() + " --vary ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"'node.mcu.states.active=gauss(1 mA, 2 mA)'",
       "edgejoule: --vary node.mcu.states.active: unknown distribution 'gauss' (normal, "
       "lognormal, uniform, triangular, choice)\n"},
      {"'node.mcu.states.active=uniform(1 mA)'",
       "edgejoule: --vary node.mcu.states.active: uniform takes 2 arguments (lo, hi), not 1\n"},
      {"'node.mcu.states.active=uniform(1 s, 2 s)'",
       "edgejoule: --vary node.mcu.states.active: expected a current (e.g. 120 mA), got '1.5 s'\n"},
      {"'node.mcu.states.active=uniform(2 mA, 1 mA)'",
       "edgejoule: --vary node.mcu.states.active: uniform: lo '2 mA' > hi '1 mA'\n"},
      {"'node.mcu.states.active=normal(100 mA, -5 mA)'",
       "edgejoule: --vary node.mcu.states.active: normal: the sd '-5 mA' is negative\n"},
  };
  for (const auto& [vary, message] : cases) {
    const auto r = edgejoule(base + vary, tmp.path);
    EXPECT_EQ(r.status, 2) << vary;
    EXPECT_EQ(r.err, message) << vary;
    EXPECT_FALSE(fs::exists(tmp.path / "m")) << vary;
  }
}

// One at a time on the seed paper's PIR node (hand figures, 2000 mAh ideal battery, days of
// 00-08 asleep, 08-09 active, 09-17 asleep, 17-18 active, 18-24 asleep):
//  - baseline, 120 mA active / 5 mA asleep, 350 mAh/day: 250 mAh left after 5 days; 40, 120,
//    40 gone by 17:00 leaves 50 mAh, 25 min at 120 mA: empty at 5 d 17:25 = 5.725694 d;
//  - active 60 mA, 230 mAh/day: 160 left after 8 days; 40, 60, 40 by 17:00 leaves 20, 20 min
//    at 60 mA: 8 d 17:20 = 8.722222 d, +52.34 %;
//  - asleep 2.5 mA, 295 mAh/day: 230 left after 6 days; 20, 120, 20 by 17:00 leaves 70, 35
//    min: 6 d 17:35 = 6.732639 d, +17.59 %. The high ends equal the baseline: 0 %.
TEST(SensitivityCliTest, TornadoRanksHandFigures) {
  TempDir tmp("ej_sensitivity");
  const auto r = edgejoule(
      "sensitivity scenarios/seed-paper-pir.yaml --set horizon=10d "
      "--vary 'node.mcu.states.sleep=2.5 mA..5 mA' "
      "--vary 'node.mcu.states.active=60 mA..120 mA' --morris 2 --plot --out " +
          (tmp.path / "t").string(),
      tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto s = readJson(tmp.path / "t/sensitivity.json");
  // The kernel's instants are 1 ns: 1e-6 d covers the figures' rounding.
  EXPECT_NEAR(s["baseline"]["life_days"].get<double>(), 5.725694, 1e-6);
  const auto& f = s["factors"];
  EXPECT_EQ(f[0]["key"], "node.mcu.states.active");
  EXPECT_NEAR(f[0]["life_low_days"].get<double>(), 8.722222, 1e-6);
  EXPECT_NEAR(f[0]["life_low_pct"].get<double>(), 100 * (8.722222 / 5.725694 - 1), 1e-3);
  EXPECT_NEAR(f[0]["life_high_pct"].get<double>(), 0, 1e-9);
  EXPECT_NEAR(f[0]["net_low_mAh"].get<double>(), -230, 1e-6);
  EXPECT_EQ(f[1]["key"], "node.mcu.states.sleep");
  EXPECT_NEAR(f[1]["life_low_days"].get<double>(), 6.732639, 1e-6);
  EXPECT_EQ(f[1]["rank"], 2);
  EXPECT_NE(r.out.find("node.mcu.states.active: +52 % / +0 % of life"), std::string::npos) << r.out;
  ASSERT_TRUE(s.contains("morris"));
  EXPECT_EQ(s["morris"]["factors"].size(), 2u);
  EXPECT_EQ(s["morris"]["factors"][0]["life_effects"], 2);  // one per trajectory
  EXPECT_TRUE(fs::exists(tmp.path / "t/plots/tornado_life.svg"));
  EXPECT_TRUE(fs::exists(tmp.path / "t/plots/tornado_net.png"));
  EXPECT_NE(slurp(tmp.path / "t/sensitivity.txt").find(" 1. node.mcu.states.active"),
            std::string::npos);
  // The report: the ranked table with the hand figures above (lives to 6 digits, changes to
  // 0.1 %, nets to 4), the verdict, the three figures.
  const std::string html = slurp(tmp.path / "t/report.html");
  EXPECT_NE(html.find("<tr><td>1</td><td><code>node.mcu.states.active</code></td><td>60 "
                      "mA</td><td>120 mA</td><td>8.72222</td><td>5.72569</td><td>+52.3 "
                      "%</td><td>+0.0 %</td><td>-230</td><td>-350</td></tr>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr><td>2</td><td><code>node.mcu.states.sleep</code></td><td>2.5 "
                      "mA</td><td>5 mA</td><td>6.73264</td><td>5.72569</td><td>+17.6 "
                      "%</td><td>+0.0 %</td><td>-295</td><td>-350</td></tr>"),
            std::string::npos);
  EXPECT_NE(html.find("Battery life moves most with <code>node.mcu.states.active</code>: +52.3 "
                      "% at 60 mA, +0.0 % at 120 mA"),
            std::string::npos);
  EXPECT_NE(html.find("<h2>Morris screening, ranked by mu* of life</h2>"), std::string::npos);
  EXPECT_EQ(count(html, "src=\"data:image/svg+xml;base64,"), 3u);
}

// The 2 x 2 grid of kGrid, written as a range, with a front over net (max) and consumption
// (min): 60 mA with the 200 mA panel (net +370, 230 mAh/day) beats every other point.
TEST(SweepTest, ParetoColumnAndRangesInLists) {
  TempDir tmp("ej_pareto_cli");
  const auto r = edgejoule(
      "sweep scenarios/seed-paper-pir-solar.yaml --set horizon=3d "
      "--set 'node.mcu.states.active=60 mA:120 mA:60 mA' "
      "--set 'node.harvester.current=linspace(100 mA, 200 mA, 2)' "
      "--pareto 'daily.net_mAh:max,daily.consumed_mAh:min' --plot --out " +
          (tmp.path / "p").string(),
      tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = csvRows(tmp.path / "p/sweep.csv");
  ASSERT_EQ(rows.size(), 5u);
  const auto c = columnOf(rows[0], "pareto");
  EXPECT_EQ(rows[1][2] + "|" + rows[1][3], "60 mA|100 mA");
  EXPECT_EQ(rows[4][2] + "|" + rows[4][3], "120 mA|200 mA");
  std::vector<std::string> marks;
  for (std::size_t i = 1; i < rows.size(); ++i) marks.push_back(rows[i][c]);
  EXPECT_EQ(marks, (std::vector<std::string>{"false", "true", "false", "false"}));
  EXPECT_TRUE(fs::exists(tmp.path / "p/plots/pareto_front.svg"));
}

// "mpirun ... -np 2 edgejoule" (Debian's Open MPI, tools/install-deps), or empty when there is
// no mpirun on the PATH: MPI is optional at build time (sim/report/CMakeLists.txt), so the
// MPI tests skip rather than fail without it.
std::string mpirunTwoRanks() {
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) return "";
  return std::string("mpirun --oversubscribe --allow-run-as-root -np 2 ") + EJ_BINARY + " ";
}

// Two MPI ranks on this machine share the points out between them (each takes the next shard
// as its worker frees up) into the same folders: the same mc.csv as a local run.
TEST(MpiTest, TwoRanksGiveTheLocalTable) {
  const std::string mpirun = mpirunTwoRanks();
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun on the PATH (Debian: openmpi-bin)";
  TempDir tmp("ej_mpi");
  const auto local =
      edgejoule(kMc + " --samples 8 -j 1 --out " + (tmp.path / "l").string(), tmp.path);
  ASSERT_EQ(local.status, 0) << local.err;
  const auto mpi =
      shell(mpirun + kMc + " --samples 8 --json --out " + (tmp.path / "m").string(), tmp.path);
  ASSERT_EQ(mpi.status, 0) << mpi.err;
  const auto o = json::parse(mpi.out);
  EXPECT_EQ(o["ranks"], 2);
  EXPECT_EQ(o["ran"], 8);
  EXPECT_EQ(slurp(tmp.path / "l/mc.csv"), slurp(tmp.path / "m/mc.csv"));
  // The ranks took their shards by claims (sweep.h, claimShard); none is left behind.
  for (const auto& e : fs::directory_iterator(tmp.path / "m/points")) {
    EXPECT_NE(e.path().filename().string().rfind(".shard-claim-", 0), 0u) << e.path();
  }
}

// Two ranks resume a Monte Carlo as one process does: of 10 samples, one never written (no
// folder), one without edgejoule's marker and one whose summary.json does not parse (as a
// full disk leaves them), and a stale temporary folder. The two broken ones are counted as
// run again, the three run, and mc.csv and mc_summary.json come out byte for byte as before.
TEST(MpiTest, ResumeRunsTheMissingAndBrokenSamplesToTheSameTables) {
  const std::string mpirun = mpirunTwoRanks();
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun on the PATH (Debian: openmpi-bin)";
  TempDir tmp("ej_mpi_resume");
  const fs::path out = tmp.path / "m";
  const std::string args = kMc + " --samples 10 --json --out " + out.string();
  const auto first = shell(mpirun + args, tmp.path);
  ASSERT_EQ(first.status, 0) << first.err;
  const std::string csv = slurp(out / "mc.csv"), summary = slurp(out / "mc_summary.json");
  ASSERT_FALSE(csv.empty());
  fs::remove_all(out / "points/0002");
  fs::remove(out / "points/0005/.edgejoule");
  std::ofstream(out / "points/0007/summary.json", std::ios::trunc) << "{\"battery_life_days\": ";
  fs::create_directories(out / "points/.0002.tmp-999999");
  // A claim left by a killed run: a new run must not take shard 0 as another rank's.
  std::ofstream(out / "points/.shard-claim-0").flush();
  const auto again = shell(mpirun + args, tmp.path);
  ASSERT_EQ(again.status, 0) << again.err;
  const auto o = json::parse(again.out);
  EXPECT_EQ(o["ranks"], 2);
  EXPECT_EQ(o["already_done"], 7);
  EXPECT_EQ(o["rerun"], 2);
  EXPECT_EQ(o["ran"], 3);
  EXPECT_EQ(slurp(out / "mc.csv"), csv);
  EXPECT_EQ(slurp(out / "mc_summary.json"), summary);
  EXPECT_FALSE(fs::exists(out / "points/.0002.tmp-999999"));
  EXPECT_FALSE(fs::exists(out / "points/.shard-claim-0"));
  // The console says it too.
  const auto told = shell(mpirun + kMc + " --samples 10 --out " + out.string(), tmp.path);
  ASSERT_EQ(told.status, 0) << told.err;
  EXPECT_NE(told.out.find("10 samples (10 already done, 0 run now"), std::string::npos) << told.out;
}

// The folders' reading is shared out over the ranks too (gatherPointOutputs): a point whose
// daily.csv cannot be read fails the tables with one line naming it, the same line whether
// one process (reading with a thread per CPU it may use) or rank 1 of two read it. Points 3
// and 6 are broken; point 3 comes first in the points' order and is rank 1's (ranks read
// every other point) while rank 0 fails at point 6, so the line names point 3 under MPI as
// alone. No table is left behind.
TEST(MpiTest, AnUnreadablePointIsOneLineWhicheverRankReadIt) {
  const std::string mpirun = mpirunTwoRanks();
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun on the PATH (Debian: openmpi-bin)";
  TempDir tmp("ej_mpi_unreadable");
  const fs::path out = tmp.path / "m";
  const std::string args = kMc + " --samples 8 --out " + out.string();
  ASSERT_EQ(edgejoule(args + " -j 2", tmp.path).status, 0);
  for (const char* point : {"points/0003", "points/0006"}) {
    fs::remove(out / point / "daily.csv");
    fs::create_directory(out / point / "daily.csv");  // not a regular file: CsvTable refuses it
  }
  const std::string expected = "edgejoule: " + (out / "points/0003/daily.csv").string() +
                               ": not a regular file (a CSV input must be one)\n";
  const auto alone = edgejoule(args + " -j 2", tmp.path);
  EXPECT_EQ(alone.status, 1);
  EXPECT_EQ(alone.err, expected);
  EXPECT_FALSE(fs::exists(out / "mc.csv"));
  const auto ranks = shell(mpirun + args, tmp.path);
  EXPECT_NE(ranks.status, 0);
  EXPECT_NE(ranks.err.find(expected), std::string::npos) << ranks.err;
  EXPECT_FALSE(fs::exists(out / "mc.csv"));
  EXPECT_FALSE(fs::exists(out / "mc_summary.json"));
}

// A sensitivity study on two ranks: the same ranked table and figures as one process.
TEST(MpiTest, SensitivityOnTwoRanksGivesTheLocalTable) {
  const std::string mpirun = mpirunTwoRanks();
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun on the PATH (Debian: openmpi-bin)";
  TempDir tmp("ej_mpi_sensitivity");
  const std::string study =
      "sensitivity scenarios/seed-paper-pir.yaml --set horizon=10d "
      "--vary 'node.mcu.states.sleep=2.5 mA..5 mA' "
      "--vary 'node.mcu.states.active=60 mA..120 mA' --morris 2 --out ";
  const auto local = edgejoule(study + (tmp.path / "l").string(), tmp.path);
  ASSERT_EQ(local.status, 0) << local.err;
  const auto mpi = shell(mpirun + study + (tmp.path / "m").string(), tmp.path);
  ASSERT_EQ(mpi.status, 0) << mpi.err;
  EXPECT_EQ(slurp(tmp.path / "m/sensitivity.txt"), slurp(tmp.path / "l/sensitivity.txt"));
  EXPECT_EQ(slurp(tmp.path / "m/sensitivity.json"), slurp(tmp.path / "l/sensitivity.json"));
}

// A two-rank sweep stopped by its launcher midway (SIGTERM to mpirun, as a batch system's time
// limit does; the ranks and their workers die with it) finishes when started again: the
// points done before are kept, only the others run, and sweep.csv is byte for byte the one
// of an uninterrupted local run.
TEST(MpiTest, SweepStoppedMidwayResumesToTheLocalTable) {
  const std::string mpirun = mpirunTwoRanks();
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun on the PATH (Debian: openmpi-bin)";
  TempDir tmp("ej_mpi_kill");
  // 16 points of the reference node, 3,000 to 3,015 days (about 0.33 s each on an idle core,
  // 2026-12-04), one point per kernel (--shard 1): mpirun takes about a second to bring its
  // ranks down after SIGTERM, and shorter points all finished within it on an idle machine:
  // the seed nodes' (0.1 s, mostly starting the process), and, each time the year got
  // cheaper, the reference node's of 300 to 315 days (0.14 s) and of 900 to 915 (0.35 s on
  // 2026-12-03, 0.12 s a day later).
  std::string horizons;
  for (int d = 3000; d < 3016; ++d) {
    horizons += (horizons.empty() ? "" : ",") + std::to_string(d) + "d";
  }
  const std::string sweep =
      "sweep scenarios/reference-node.yaml --set 'horizon=" + horizons + "' --out ";
  const auto local = edgejoule(sweep + (tmp.path / "l").string() + " -j 2", tmp.path);
  ASSERT_EQ(local.status, 0) << local.err;
  const fs::path out = tmp.path / "m";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c",
          ("cd " + std::string(EJ_SOURCE_DIR) + " && exec " + mpirun + sweep + out.string() +
           " -j 1 --shard 1 >/dev/null 2>&1")
              .c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  auto done = [&] {
    int n = 0;
    for (int i = 0; i < 16; ++i) {
      char marker[32];
      std::snprintf(marker, sizeof marker, "points/%04d/.edgejoule", i);
      n += fs::exists(out / marker) ? 1 : 0;
    }
    return n;
  };
  // Stopped once a point is done (or after 60 s).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (done() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  // mpirun has reaped its ranks; their workers die with them (PR_SET_PDEATHSIG): a moment
  // for those signals to land before counting.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int before = done();
  ASSERT_GE(before, 1);
  ASSERT_LT(before, 16) << "the sweep finished before it was stopped: nothing left to resume";
  EXPECT_FALSE(fs::exists(out / "sweep.csv"));
  const auto r = shell(mpirun + sweep + out.string() + " -j 1 --shard 1 --json", tmp.path);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto o = json::parse(r.out);
  EXPECT_EQ(o["ranks"], 2);
  EXPECT_EQ(o["already_done"], before);
  EXPECT_EQ(o["ran"], 16 - before);
  EXPECT_EQ(slurp(out / "sweep.csv"), slurp(tmp.path / "l/sweep.csv"));
}
}  // namespace
