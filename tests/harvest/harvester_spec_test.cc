// The harvester spec and factory: the kind chosen once, the weather trace checked against
// the run at load, the charge temperature range obeyed by the solar harvester.
#include "sim/harvest/harvester_spec.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "sim/core/calendar.h"
#include "sim/core/sim_time.h"
#include "sim/power/battery_module.h"
#include "sim/power/ideal_battery.h"
#include "sim/power/power_bus.h"

namespace ej::harvest {
namespace {

namespace fs = std::filesystem;

double at(const char* iso) { return *core::parseUtcTimestamp(iso); }

// An hourly trace of DAYS days from 2026-12-01T00:00Z, GHI 400 W/m2 from 09:00 to 13:00 UTC
// (a bright winter noon; 0 otherwise), at air temperature TEMP_C.
// The trace file, removed when the test is done with it.
struct TraceFile {
  fs::path path;
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;
  ~TraceFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
  operator const fs::path&() const { return path; }
  std::string string() const { return path.string(); }
};

TraceFile writeTrace(const std::string& name, int days, double temp_C) {
  // ctest runs tests in parallel: each process writes its own file.
  const auto path = fs::temp_directory_path() / (std::to_string(::getpid()) + "-" + name);
  std::ofstream out(path);
  out << "time,ghi,temp_air\n";
  for (int h = 0; h < 24 * days; ++h) {
    const int hour = h % 24;
    out << core::formatUtc(at("2026-12-01T00:00:00Z") + 3600.0 * h) << ","
        << (hour >= 9 && hour <= 13 ? 400 : 0) << "," << temp_C << "\n";
  }
  return TraceFile{path};
}

core::Config solarConfig(const fs::path& trace, const std::string& extra = "") {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  return core::Config::parse(
      "model: solar\nstep: 10 min\nsite: {latitude: 45.65 deg, longitude: 13.78 deg}\n"
      "weather: {model: trace, file: " +
          trace.string() + extra +
          "}\n"
          "panel: {part: hw/solar/seeed_panel_2w5_116x160.yaml}\n"
          "mount: {tilt: 45 deg, azimuth: 180 deg}\n"
          "charger: {model: mppt, efficiency: 85 %, current_limit: 500 mA}\n",
      "harvester.yaml");
}

TEST(HarvesterSpecTest, OneKindFromTheModelKey) {
  const auto cfg = core::Config::parse(
      "model: constant\ncurrent: 200 mA\nstart: \"10:00\"\nduration: 3 h\n", "h.yaml");
  const auto spec = parseHarvesterSpec(cfg, 0, days(1));
  EXPECT_TRUE(std::holds_alternative<ConstantHarvesterParams>(spec));
  EXPECT_FALSE(hasWeather(spec));
  const TraceFile trace = writeTrace("ej_spec3.csv", 3, 5);
  const auto solar = parseHarvesterSpec(solarConfig(trace), at("2026-12-01T00:00:00Z"), days(3));
  EXPECT_TRUE(hasWeather(solar));
}

TEST(HarvesterSpecTest, TraceMustCoverTheRunByTheEndRule) {
  // Three days ending at 23:00 cover a 3-day run (last step's middle 23:55, held); a 4-day
  // run is refused at load, naming the file, its span and what the run needs.
  const auto trace = writeTrace("ej_spec_end.csv", 3, 5);
  EXPECT_NO_THROW(parseHarvesterSpec(solarConfig(trace), at("2026-12-01T00:00:00Z"), days(3)));
  try {
    parseHarvesterSpec(solarConfig(trace), at("2026-12-01T00:00:00Z"), days(4));
    FAIL() << "no error";
  } catch (const core::ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("weather.file: " + trace.string() +
                        ": the trace covers 2026-12-01T00:00:00Z to 2026-12-03T23:00:00Z (step "
                        "1 h); the run samples it from 2026-12-01T00:05:00Z to "
                        "2026-12-04T23:55:00Z"),
              std::string::npos)
        << what;
  }
  // The same 3 days as a typical year: refused whatever the run.
  EXPECT_THROW(parseHarvesterSpec(solarConfig(trace, ", typical_year: true"),
                                  at("2026-12-01T00:00:00Z"), days(1)),
               core::ConfigError);
}

// Charge (mAh) a 1-day run takes into an ideal 1000 mAh cell at 50 % with the charge
// temperature range 0..45 degC, the trace's air at TEMP_C.
double chargedAt(double temp_C, bool limited) {
  core::setKernelTimeResolution();
  const auto trace = writeTrace("ej_spec_cold.csv", 1, temp_C);
  const auto spec = parseHarvesterSpec(solarConfig(trace), at("2026-12-01T00:00:00Z"), days(1));
  auto model = std::make_unique<power::IdealBattery>(milliampereHours(1000), volts(3.7), ratio(0.5),
                                                     ratio(1));
  if (limited) model->setChargeTemperatureRange(273.15 * si::kelvin, 318.15 * si::kelvin);
  power::BatteryModule battery("battery", std::move(model), ratio(0.1));
  power::PowerBus bus("bus");
  bus.storage(battery);
  auto harvester = createHarvester("harvester", spec, at("2026-12-01T00:00:00Z"), bus, battery);
  sc_core::sc_start(core::toScTime(days(1)));
  bus.settle();
  return in_mAh(battery.model().remaining()) - 500.0;
}

TEST(HarvesterSpecTest, NoChargeBelowThePartsChargeTemperature) {
  // At -5 degC the LiPo's 0..45 degC range (GP603450L95 spec 2.7) stops the charge.
  EXPECT_DOUBLE_EQ(chargedAt(-5.0, true), 0.0);
}

TEST(HarvesterSpecTest, ChargeWithinThePartsChargeTemperature) {
  // Five hours at 400 W/m2 GHI (Erbs split, 45 deg tilt) through a 2.5 W panel and an 85 %
  // MPPT charger into 3.7 V: of the order of 0.85 * 2.5 W * ~0.5 * 5 h / 3.7 V ~ 1.4 Ah,
  // capped by the 500 mAh of headroom: the cell ends full.
  EXPECT_NEAR(chargedAt(5.0, true), 500.0, 1e-6);
}

TEST(HarvesterSpecTest, WithoutARangeColdDoesNotStopTheCharge) {
  EXPECT_NEAR(chargedAt(-5.0, false), 500.0, 1e-6);
}

}  // namespace
}  // namespace ej::harvest
