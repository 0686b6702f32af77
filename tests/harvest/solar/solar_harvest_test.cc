// The whole chain from a scenario-style config: site, weather, mount, panel part, charger.
#include "sim/harvest/solar/solar_harvest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "sim/core/calendar.h"

namespace ej::solar {
namespace {

double at(const char* iso) { return *core::parseUtcTimestamp(iso); }

core::Config harvesterConfig(const std::string& charger, const std::string& weather) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  return core::Config::parse(
      "site: {latitude: 45.65 deg, longitude: 13.78 deg}\n"
      "weather: " +
          weather +
          "\n"
          "panel: {part: hw/solar/seeed_panel_2w5_116x160.yaml}\n"
          "mount: {tilt: 45 deg, azimuth: 180 deg, albedo: 0.2}\n"
          "charger: " +
          charger + "\n",
      "harvester.yaml");
}

TEST(SolarHarvestTest, ChainFromConfigIsConsistent) {
  const auto cfg =
      harvesterConfig("{model: linear, dropout: 0.3 V, current_limit: 1 A}", "{model: clear_sky}");
  const SolarHarvest h(SolarHarvestParams::fromConfig(cfg));
  cfg.requireAllRead();
  const auto s = h.at(at("2026-06-21T11:06:00Z"), volts(3.7));
  // The chain is the sum of its parts.
  EXPECT_NEAR(in_A(s.charge), in_A(h.panel().current(volts(4.0), s.poa.total, s.cell)), 1e-12);
  // Summer noon, 45 deg tilt: ~900 W/m2 on the panel, the linear charger holds it at 4.0 V on
  // the flat part of the curve: ~0.9 * Isc = 0.44 A (a few % either way with temperature).
  EXPECT_GT(s.poa.total.value(), 850.0);
  EXPECT_LT(s.poa.total.value(), 1000.0);
  EXPECT_NEAR(in_A(s.charge), 0.44, 0.04);
  // Night.
  EXPECT_EQ(in_A(h.chargeCurrent(at("2026-06-21T22:00:00Z"), volts(3.7))), 0.0);
}

TEST(SolarHarvestTest, ClearSkyDailyChargeAtTriesteByHand) {
  // Daily charge (mAh) into a 3.7 V battery, integrated at 60 s; printed for the README.
  // By hand, MPPT: 0.85 * 2.5 W per kW/m2 * POA insolation (kWh/m2) / 3.7 V, within 12 %
  // for the cell temperature (air at the default 20 degC; NOCT model: cells at 20 + 25 G/800,
  // i.e. 30-50 degC at midday, lose 2-10 % at -0.4 %/K). Linear at 3.7 V: the panel gives ~Isc
  // (0.49 A per kW/m2) against the MPPT's 0.85 * 2.5 / 3.7 = 0.574 A: a ratio near 0.85.
  auto daily = [](const SolarHarvest& h, double day) {
    double mAh = 0;
    for (int i = 0; i < 1440; ++i) {
      mAh += in_mA(h.chargeCurrent(day + 60.0 * i + 30.0, volts(3.7))) / 60.0;
    }
    return mAh;
  };
  const auto linCfg =
      harvesterConfig("{model: linear, dropout: 0.3 V, current_limit: 1 A}", "{model: clear_sky}");
  const auto mpptCfg =
      harvesterConfig("{model: mppt, efficiency: 85 %, current_limit: 1 A}", "{model: clear_sky}");
  const SolarHarvest linear(SolarHarvestParams::fromConfig(linCfg));
  const SolarHarvest mppt(SolarHarvestParams::fromConfig(mpptCfg));
  const PanelOrientation mount{45.0 * M_PI / 180 * si::radians, M_PI * si::radians, ratio(0.2)};
  for (const char* day : {"2026-06-21T00:00:00Z", "2026-12-21T00:00:00Z"}) {
    const double poa_kWh = dailyInsolation(mppt.sky(), at(day), mount).poa_Whm2 / 1000.0;
    const double byHand = 0.85 * 2.5 * poa_kWh / 3.7 * 1000.0;
    const double m = daily(mppt, at(day)), l = daily(linear, at(day));
    std::printf("%s: POA %.2f kWh/m2, MPPT %.0f mAh/day (hand %.0f), linear %.0f mAh/day\n", day,
                poa_kWh, m, byHand, l);
    EXPECT_NEAR(m / byHand, 1.0, 0.12) << day;
    EXPECT_GT(l / m, 0.80) << day;
    EXPECT_LT(l / m, 0.97) << day;
  }
}

TEST(SolarHarvestTest, LinearChargerNeedsAnIvCurve) {
  core::Config::setDataRoot(EJ_SOURCE_DIR);
  const auto cfg = core::Config::parse(
      "site: {latitude: 45.65 deg, longitude: 13.78 deg}\n"
      "panel: {area: 100 cm2, efficiency: 15 %}\n"
      "charger: {model: linear}\n",
      "harvester.yaml");
  EXPECT_THROW(SolarHarvestParams::fromConfig(cfg), core::ConfigError);
}

}  // namespace
}  // namespace ej::solar
