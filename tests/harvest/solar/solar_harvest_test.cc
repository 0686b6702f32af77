// The whole chain from a scenario-style config: site, weather, mount, panel part, charger.
#include "sim/harvest/solar/solar_harvest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "sim/core/calendar.h"
#include "sim/harvest/solar/weather.h"

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

// chargeCurrent() leaves out what the charge does not need (the angle of incidence): it must
// give at().charge to the bit, with either charger, at every 10-minute step of a June and a
// December day (a sample's sky computed afresh or taken from the sky's last answer).
TEST(SolarHarvestTest, ChargeCurrentEqualsTheSamplesCharge) {
  for (const char* charger : {"{model: linear, dropout: 0.3 V, current_limit: 1 A}",
                              "{model: mppt, efficiency: 85 %, current_limit: 500 mA}"}) {
    const SolarHarvest h(
        SolarHarvestParams::fromConfig(harvesterConfig(charger, "{model: clear_sky}")));
    const SolarHarvest fresh(
        SolarHarvestParams::fromConfig(harvesterConfig(charger, "{model: clear_sky}")));
    int lit = 0;
    for (double day : {at("2026-06-21T00:00:00Z"), at("2026-12-21T00:00:00Z")}) {
      for (int i = 0; i < 144; ++i) {
        const double t = day + 600.0 * i + 300.0;
        const double want = in_A(h.at(t, volts(3.9)).charge);
        EXPECT_EQ(in_A(h.chargeCurrent(t, volts(3.9))), want);
        EXPECT_EQ(in_A(fresh.chargeCurrent(t, volts(3.9))), want);
        lit += want > 0;
      }
    }
    EXPECT_GT(lit, 100);
  }
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

// The message of the ConfigError loading a harvester with WEATHER throws, or "" if none.
std::string loadError(const std::string& weather) {
  try {
    SolarHarvestParams::fromConfig(harvesterConfig("{model: mppt}", weather));
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "";
}

const std::string kTwelve =
    "[1.4 kWh/m2, 2.2 kWh/m2, 3.4 kWh/m2, 4.5 kWh/m2, 20 MJ/m2, 6.2 kWh/m2, 6.5 kWh/m2, "
    "5.6 kWh/m2, 4.1 kWh/m2, 2.6 kWh/m2, 1.5 kWh/m2, 1.1 kWh/m2]";

TEST(SolarHarvestTest, MonthlyIrradiationFromConfig) {
  const auto cfg =
      harvesterConfig("{model: mppt}", "{model: monthly_irradiation, ghi_daily: " + kTwelve + "}");
  const SolarHarvest h(SolarHarvestParams::fromConfig(cfg));
  cfg.requireAllRead();
  const auto& w = h.sky().weather();
  EXPECT_EQ(w.kind, WeatherParams::Kind::MonthlyIrradiation);
  EXPECT_DOUBLE_EQ(w.ghiDaily_Jm2[0], 1.4 * 3.6e6);  // kWh/m2
  EXPECT_DOUBLE_EQ(w.ghiDaily_Jm2[4], 20e6);         // MJ/m2
  const Site trieste{45.65 * M_PI / 180 * si::radians, 13.78 * M_PI / 180 * si::radians};
  const auto clear = clearSkyMeanDailyGhi(trieste, WeatherParams::kReferenceYear);
  for (std::size_t m = 0; m < 12; ++m) {
    EXPECT_NEAR(w.clearness[m], w.ghiDaily_Jm2[m] / clear[m], 1e-12) << m;
  }
}

TEST(SolarHarvestTest, MonthlyIrradiationErrorsAreLocated) {
  // The weather mapping is on line 2 of harvester.yaml.
  const std::string at = "harvester.yaml:2:";
  auto expect = [&](const std::string& weather, const std::string& what) {
    const std::string e = loadError(weather);
    EXPECT_EQ(e.rfind(at, 0), 0u) << e;
    EXPECT_NE(e.find(what), std::string::npos) << e;
  };
  // Eleven months.
  expect(
      "{model: monthly_irradiation, ghi_daily: [1 kWh/m2, 2 kWh/m2, 3 kWh/m2, 4 kWh/m2, "
      "5 kWh/m2, 6 kWh/m2, 6 kWh/m2, 5 kWh/m2, 4 kWh/m2, 3 kWh/m2, 2 kWh/m2]}",
      "weather.ghi_daily: expected a list of 12 monthly values (Jan..Dec)");
  // An irradiance where an irradiation is meant.
  expect(
      "{model: monthly_irradiation, ghi_daily: [1 kWh/m2, 2 kWh/m2, 150 W/m2, 4 kWh/m2, "
      "5 kWh/m2, 6 kWh/m2, 6 kWh/m2, 5 kWh/m2, 4 kWh/m2, 3 kWh/m2, 2 kWh/m2, 1 kWh/m2]}",
      "weather.ghi_daily: item 3 '150 W/m2' is not an insolation");
  // A bare number: no unit, no irradiation.
  expect(
      "{model: monthly_irradiation, ghi_daily: [1, 2 kWh/m2, 3 kWh/m2, 4 kWh/m2, "
      "5 kWh/m2, 6 kWh/m2, 6 kWh/m2, 5 kWh/m2, 4 kWh/m2, 3 kWh/m2, 2 kWh/m2, 1 kWh/m2]}",
      "weather.ghi_daily: item 1 '1' is not an insolation");
  // Negative.
  expect(
      "{model: monthly_irradiation, ghi_daily: [1 kWh/m2, 2 kWh/m2, 3 kWh/m2, 4 kWh/m2, "
      "5 kWh/m2, 6 kWh/m2, 6 kWh/m2, 5 kWh/m2, 4 kWh/m2, 3 kWh/m2, 2 kWh/m2, -1 kWh/m2]}",
      "weather.ghi_daily: item 12 (December) is negative");
  // MJ/m2 figures written as kWh/m2: July 3.6 times too large, above the clear sky.
  expect(
      "{model: monthly_irradiation, ghi_daily: [5 kWh/m2, 8 kWh/m2, 12 kWh/m2, 17 kWh/m2, "
      "21 kWh/m2, 24 kWh/m2, 25 kWh/m2, 21 kWh/m2, 15 kWh/m2, 10 kWh/m2, 6 kWh/m2, "
      "4 kWh/m2]}",
      "weather.ghi_daily: January: 5 kWh/m2 a day is");
  // The model without its figures.
  EXPECT_NE(loadError("{model: monthly_irradiation}").find("ghi_daily"), std::string::npos);
}

}  // namespace
}  // namespace ej::solar
