// The regulator and the brown-out on loaded voltage in whole runs (tests/power/fixtures/).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sim/device/inference_steps.h"
#include "sim/device/scenario.h"
#include "sim/device/simulation.h"
#include "sim/report/results_writer.h"

namespace ej {
namespace {

struct Run {
  device::RunResult result;
  nlohmann::json summary;
};

// Runs the scenarios at PATHS (with their OVERRIDES) side by side in one kernel: the
// SystemC kernel cannot be elaborated twice in a process.
std::vector<Run> run(const std::vector<std::pair<std::string, core::Overrides>>& paths) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  std::vector<device::Scenario> scenarios;
  for (const auto& [path, overrides] : paths) {
    scenarios.push_back(device::Scenario::load(std::string(EJ_SOURCE_DIR) + "/" + path, overrides));
  }
  std::vector<device::Scenario*> pointers;
  std::vector<std::string> names;
  for (auto& s : scenarios) {
    pointers.push_back(&s);
    names.push_back("node" + std::to_string(names.size()));
  }
  for (auto* s : pointers) device::profileInferences(*s);
  const auto results = device::simulateMany(pointers, names);
  std::vector<Run> runs;
  for (std::size_t i = 0; i < results.size(); ++i) {
    runs.push_back({results[i], report::summarize(scenarios[i], results[i])});
  }
  return runs;
}

// Sums of a few hundred thousand products: 1e-6 mAh is far above rounding.
constexpr double kTol_mAh = 1e-6;

double loadCharge_mAh(const nlohmann::json& s) {
  double total = 0;
  for (const auto& [name, c] : s["components"].items()) {
    if (c["flow"] == "load") total += c["charge_mAh"].get<double>();
  }
  return total;
}

TEST(RegulatorScenarioTest, LdoShareIsItsQuiescentCurrent) {
  const auto runs = run({{"tests/power/fixtures/regulator-mcp1700.yaml", {{"horizon", "30 d"}}}});
  const auto& s = runs[0].summary;
  ASSERT_TRUE(s["components"].contains("regulator"));
  const auto& reg = s["components"]["regulator"];
  // An LDO's input is its load plus 1.6 uA, all the time the loads are powered (no outage
  // here): 1.6 uA * 24 h = 0.0384 mAh a day, at any load.
  EXPECT_EQ(s["outages"]["count"].get<int>(), 0);
  EXPECT_NEAR(reg["charge_per_day_mAh"].get<double>(), 0.0384, 1e-9);
  // The LDO burns the drop from a LiPo above 3.3 V: a loss, and more than its Iq alone
  // (1.6 uA * 30 d * 3.3 V = 13.7 J).
  EXPECT_GT(reg["energy_J"].get<double>(), 1.6e-6 * 30 * 86400 * 3.3);
}

TEST(RegulatorScenarioTest, BuckDrawsLessChargeThanItDeliversButLosesEnergy) {
  const auto runs = run({{"tests/power/fixtures/regulator-tps62740.yaml", {{"horizon", "30 d"}}},
                         {"scenarios/reference-node.yaml", {{"horizon", "30 d"}}}});
  const auto& s = runs[0].summary;
  const auto& ref = runs[1];
  const auto& reg = s["components"]["regulator"];
  // The parts draw the same at the regulator's output as they drew from the battery: the
  // regulator changes what the battery gives, not what the loads take.
  for (const char* part : {"mcu", "pir", "radio"}) {
    EXPECT_NEAR(s["components"][part]["charge_mAh"].get<double>(),
                ref.summary["components"][part]["charge_mAh"].get<double>(), kTol_mAh)
        << part;
  }
  // Stepping a LiPo (3.7-4.2 V) down to 3.3 V, the buck's input charge is below its output
  // charge (efficiency above 3.3/3.7 = 89 %): its charge share is negative, its loss is not.
  EXPECT_LT(reg["charge_mAh"].get<double>(), 0.0);
  EXPECT_GT(reg["energy_J"].get<double>(), 0.0);
  // Energy balance: loads at 3.3 V, so their energy is their charge times 3.3 V exactly.
  double partsCharge_C = 0, partsEnergy_J = 0;
  for (const char* part : {"mcu", "pir", "radio"}) {
    partsCharge_C += s["components"][part]["charge_mAh"].get<double>() * 3.6;
    partsEnergy_J += s["components"][part]["energy_J"].get<double>();
  }
  EXPECT_NEAR(partsEnergy_J, partsCharge_C * 3.3, 1e-6);
}

TEST(RegulatorScenarioTest, ABatteryAboveTheRegulatorsInputRangeIsAnError) {
  // Two LiPo cells in series: 8.4 V full, above the MCP1700's 6.0 V maximum input.
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  try {
    device::Scenario::load(
        std::string(EJ_SOURCE_DIR) + "/tests/power/fixtures/regulator-mcp1700.yaml",
        {{"node.battery.series", "2"}});
    FAIL() << "expected a ConfigError";
  } catch (const core::ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("mcp1700.yaml:"), std::string::npos) << what;
    EXPECT_NE(what.find("max_input_voltage"), std::string::npos) << what;
    EXPECT_NE(what.find("8.4 V"), std::string::npos) << what;
  }
}

TEST(BrownOutScenarioTest, TwoAaCellsBrownOutUnderTheRadioBeforeTheyAreEmpty) {
  // The second run lowers every voltage rule (the cutoff, and the ESP32-C3's 3.0 V minimum
  // supply as chip and as radio) to nearly nothing: it ends when the available well is empty.
  const auto runs = run({{"tests/power/fixtures/brownout-2xaa-winter.yaml", {}},
                         {"tests/power/fixtures/brownout-2xaa-winter.yaml",
                          {{"node.battery.cutoff_voltage", "0 V"},
                           {"node.mcu.supply_min", "1 mV"},
                           {"node.radio.supply_min", "1 mV"}}}});
  const auto& r = runs[0];
  const auto& empty = runs[1];
  const auto& o = r.result.outages;
  ASSERT_TRUE(o.first.has_value());
  EXPECT_EQ(o.count, 1u);      // no harvester: the run ends at the first brown-out
  EXPECT_EQ(o.onVoltage, 1u);  // on the loaded voltage, not an empty well
  // It happens during a report (every 30 min from midnight; a connect-per-report MQTT
  // exchange lasts a few seconds), not while the node sleeps at 130 uA.
  const double intoReport_s = std::fmod(in_s(*o.first), 1800.0);
  EXPECT_LT(intoReport_s, 10.0);
  // -10 degC derates the 2900 mAh by the part's curve (0.5): 1450 mAh.
  EXPECT_NEAR(r.summary["battery"]["capacity_mAh"].get<double>(), 1450.0, 1e-9);
  // The ESP32-C3 needs 3.0 V. Per cell the OCV is 1.3 + 0.6 (h - 0.5) V above half charge
  // (h the available well's height) and the drop 0.15 Ohm x I; the radio's 285 mA transmit
  // current includes the CPU (the MCU is not counted beside it), so the pack falls below
  // 3.0 V at OCV = 1.5 + 0.04275 V: h = 0.5 + 0.24275 / 0.6 = 0.904583, with most of the
  // charge left. The bound well stands a little higher (the 130 uA sleep flow needs a
  // height difference I / (k c C) = 4.25e-4, of which (1 - c) counts): state of charge
  // 0.90479. Tolerance 5e-4: the self-discharge and the transmit bursts' own sag of h.
  EXPECT_NEAR(r.summary["battery"]["final_soc"].get<double>(), 0.904583 + 0.0002, 5e-4);
  // The cause is named: the MCU's minimum supply (the radio's, also 3.0 V, ties with it).
  EXPECT_EQ(r.summary["end"]["cause"].get<std::string>(),
            "node.mcu (Espressif ESP32-C3) supply_min");
  EXPECT_NEAR(r.summary["end"]["limit_V"].get<double>(), 3.0, 1e-12);
  EXPECT_LT(r.summary["end"]["battery_V"].get<double>(), 3.0);
  EXPECT_NEAR(r.summary["end"]["battery_current_mA"].get<double>(), 285.0, 1e-9);
  // A primary cell's end without a harvester is not an outage.
  EXPECT_EQ(r.summary["outages"]["count"].get<int>(), 0);
  // While the radio draws current the MCU is in `in_radio` at zero current: its time there
  // is the radio's time out of `off`.
  const auto& mcuStates = r.summary["components"]["mcu"]["states"];
  ASSERT_TRUE(mcuStates.contains("in_radio"));
  EXPECT_EQ(mcuStates["in_radio"]["charge_mAh"].get<double>(), 0.0);
  double radioBusy_s = 0;
  for (const auto& [state, v] : r.summary["components"]["radio"]["states"].items()) {
    if (state != "off") radioBusy_s += v["time_s"].get<double>();
  }
  EXPECT_NEAR(mcuStates["in_radio"]["time_s"].get<double>(), radioBusy_s, 1e-6);
  // Self-discharge, its own line: 0.2 %/month of the derated 1450 mAh, 2.9 mAh / 30 d, over
  // the run. Tolerance 1e-9 mAh: rounding only.
  const double days_run = r.summary["simulated_days"].get<double>();
  EXPECT_NEAR(r.summary["components"]["self_discharge"]["charge_mAh"].get<double>(),
              0.002 * 1450.0 / 30.0 * days_run, 1e-9);
  // Without the voltage rule (cutoff 0 V) the run goes on until the well is empty, weeks
  // later.
  // No harvester: the battery gave exactly what the components took (the self-discharge
  // line is what the cell leaked on top of what it delivered).
  EXPECT_NEAR(loadCharge_mAh(r.summary),
              r.summary["battery"]["drawn_mAh"].get<double>() +
                  r.summary["components"]["self_discharge"]["charge_mAh"].get<double>(),
              kTol_mAh);
  EXPECT_EQ(empty.result.outages.onVoltage, 0u);
  EXPECT_GT(in_d(*empty.result.outages.first), in_d(*o.first) + 7.0);
}

TEST(BrownOutScenarioTest, TriesteSmallPanelBrownsOutOnItsLoadedVoltage) {
  // The 26J's OCV curve ends at its 2.75 V cutoff, and 120 mA through 42 mOhm is a 5 mV drop:
  // the node browns out a little before the available well is empty, each winter evening.
  const std::string small = "hw/solar/seeed_panel_0w5_55x70.yaml";
  const auto runs =
      run({{"scenarios/trieste-solar-lorawan.yaml", {{"node.harvester.panel.part", small}}},
           {"scenarios/trieste-solar-lorawan.yaml",
            {{"node.harvester.panel.part", small}, {"node.battery.cutoff_voltage", "0 V"}}}});
  const auto& o = runs[0].result.outages;
  const auto& wellOnly = runs[1].result.outages;
  std::printf(
      "Trieste 0.5 W: %llu outages (%llu on voltage), %.3f days dark, first at %.5f d; "
      "empty-well rule only: %llu outages, %.3f days, first at %.5f d\n",
      static_cast<unsigned long long>(o.count), static_cast<unsigned long long>(o.onVoltage),
      in_d(o.total), in_d(*o.first), static_cast<unsigned long long>(wellOnly.count),
      in_d(wellOnly.total), in_d(*wellOnly.first));
  EXPECT_GT(o.onVoltage, 0u);
  EXPECT_EQ(wellOnly.onVoltage, 0u);
  // The sag only moves each brown-out earlier, within the same evening: under the 120 mA
  // evening job (17:00-18:00) the loaded voltage reaches the cutoff just before the job
  // ends (11.7497 d, 17:59 UTC), while at the 5 mA sleep that follows the available well
  // lasts until 20:22 UTC (11.8488 d): less than 3 h apart.
  EXPECT_LT(in_d(*o.first), in_d(*wellOnly.first));
  EXPECT_GT(in_d(*o.first), in_d(*wellOnly.first) - 3.0 / 24);
}

// tests/power/fixtures/solar-winter-weather.yaml: a 26J cell (KiBaM) in Trieste in December on
// the small panel, `temperature: weather`. The monthly air temperature is December's 6 degC all
// month, so following the weather must give the run of the constant key at 6 degC (curve
// ratio 0.85 + 6/25 x 0.15 = 0.886: the free wells are the constant run's, see
// sim/power/battery/README.md, Temperature); at 25 degC (ratio 1) the cell lasts longer.
TEST(BatteryTemperatureScenarioTest, AColdWinterCellBrownsOutEarlierThanAt25degC) {
  const std::string file = "tests/power/fixtures/solar-winter-weather.yaml";
  const auto runs = run({{file, {}},
                         {file, {{"node.battery.temperature", "6 degC"}}},
                         {file, {{"node.battery.temperature", "25 degC"}}}});
  const auto& weather = runs[0].result;
  const auto& constant = runs[1].result;
  const auto& warm = runs[2].result;
  ASSERT_TRUE(weather.outages.first && constant.outages.first && warm.outages.first);
  std::printf(
      "December, 0.5 W, 26J: weather (6 degC) first outage at %.6f d, %llu outages, %.4f d dark;"
      " constant 6 degC %.6f d, %llu, %.4f d; 25 degC %.6f d, %llu, %.4f d\n",
      in_d(*weather.outages.first), static_cast<unsigned long long>(weather.outages.count),
      in_d(weather.outages.total), in_d(*constant.outages.first),
      static_cast<unsigned long long>(constant.outages.count), in_d(constant.outages.total),
      in_d(*warm.outages.first), static_cast<unsigned long long>(warm.outages.count),
      in_d(warm.outages.total));
  // The wells differ from the constant run's by rounding (1e-13 of their charge), which
  // moves a root-found instant by far less than a microsecond; the outages are the same.
  EXPECT_NEAR(in_s(*weather.outages.first), in_s(*constant.outages.first), 1e-6);
  EXPECT_EQ(weather.outages.count, constant.outages.count);
  EXPECT_NEAR(in_s(weather.outages.total), in_s(constant.outages.total), 1e-3);
  // Cold, the cell holds 0.114 x 2600 = 296 mAh less from full: it browns out earlier.
  EXPECT_LT(in_d(*weather.outages.first), in_d(*warm.outages.first) - 0.5);
  EXPECT_GE(weather.outages.total, warm.outages.total);
}

TEST(BatteryTemperatureScenarioTest, WeatherWithoutASolarHarvesterIsAnError) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  try {
    device::Scenario::load(
        std::string(EJ_SOURCE_DIR) + "/tests/power/fixtures/brownout-2xaa-winter.yaml",
        {{"node.battery.temperature", "weather"}});
    FAIL() << "expected a ConfigError";
  } catch (const core::ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("temperature"), std::string::npos) << what;
    EXPECT_NE(what.find("solar"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace ej
