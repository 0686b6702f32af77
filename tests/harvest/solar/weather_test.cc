// Weather: monthly clearness, CSV traces (ISO and PVGIS formats), typical-year lookup.
#include "sim/harvest/solar/weather.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sim/core/calendar.h"
#include "sim/harvest/solar/weather_files.h"

namespace ej::solar {
namespace {

Angle deg(double d) { return d * M_PI / 180.0 * si::radians; }
double at(const char* iso) { return *core::parseUtcTimestamp(iso); }
const Site kTrieste{deg(45.65), deg(13.78)};

std::filesystem::path writeFile(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path) << text;
  return path;
}

TEST(WeatherTest, MonthlyClearnessScalesClearSky) {
  WeatherParams clear;
  WeatherParams cloudy;
  cloudy.kind = WeatherParams::Kind::MonthlyClearness;
  cloudy.clearness.fill(1.0);
  cloudy.clearness[11] = 0.4;  // December
  const Sky a(kTrieste, clear), b(kTrieste, cloudy);
  const double t = at("2026-12-21T11:00:00Z");
  EXPECT_NEAR(b.at(t).irradiance.ghi.value(), 0.4 * a.at(t).irradiance.ghi.value(), 1e-9);
  const double june = at("2026-06-21T11:00:00Z");
  EXPECT_NEAR(b.at(june).irradiance.ghi.value(), a.at(june).irradiance.ghi.value(), 1e-9);
  // Haurwitz at the December noon zenith (90 - 20.95 = 69.05 deg apparent, ~69.0 at 11:00):
  // 1098 cos z exp(-0.057 / cos z) ~ 1098 * 0.357 * 0.852 = 334 W/m2.
  EXPECT_NEAR(a.at(t).irradiance.ghi.value(), 334.0, 3.0);
}

TEST(WeatherTest, ReadsPvgisHourlyExport) {
  // The layout of a PVGIS 5.2 hourly CSV: a preamble, the header, the rows, a footer.
  const auto file = writeFile("ej_pvgis.csv",
                              "Latitude (decimal degrees):\t45.650\n"
                              "Radiation database:\tPVGIS-SARAH2\n"
                              "\n"
                              "time,Gb(n),Gd(h),G(h),H_sun,T2m,WS10m,Int\n"
                              "20200621:1010,700.0,150.0,780.0,60.1,24.5,2.1,0\n"
                              "20200621:1110,720.0,140.0,800.0,66.0,25.5,2.0,0\n"
                              "\n"
                              "G(h): Global irradiance on the horizontal plane (W/m2)\n");
  const auto trace = readWeatherFile(file);
  ASSERT_EQ(trace.samples().size(), 2u);
  const auto mid = trace.at(at("2020-06-21T10:40:00Z"), false);
  ASSERT_TRUE(mid);
  EXPECT_NEAR(mid->ghi_Wm2, 790.0, 1e-9);
  EXPECT_NEAR(*mid->dni_Wm2, 710.0, 1e-9);
  EXPECT_NEAR(*mid->dhi_Wm2, 145.0, 1e-9);
  EXPECT_NEAR(*mid->tempAir_C, 25.0, 1e-9);
  EXPECT_FALSE(trace.at(at("2021-06-21T10:40:00Z"), false));
  // As a typical year, 2026 finds the same hour.
  const auto typical = trace.at(at("2026-06-21T10:40:00Z"), true);
  ASSERT_TRUE(typical);
  EXPECT_NEAR(typical->ghi_Wm2, 790.0, 1e-9);
}

TEST(WeatherTest, TraceWithGhiOnlyIsDecomposedByErbs) {
  const auto file = writeFile("ej_iso.csv",
                              "timestamp,ghi,temp_air\n"
                              "2026-06-21T10:00Z,500,20\n"
                              "2026-06-21T12:00Z,500,22\n");
  WeatherParams w;
  w.kind = WeatherParams::Kind::Trace;
  w.trace = readWeatherFile(file);
  const Sky sky(kTrieste, w);
  const auto st = sky.at(at("2026-06-21T11:00:00Z"));
  EXPECT_NEAR(st.irradiance.ghi.value(), 500.0, 1e-9);
  const double cz = std::cos(st.sun.zenith.value());
  EXPECT_NEAR(st.irradiance.dni.value() * cz + st.irradiance.dhi.value(), 500.0, 1e-6);
  EXPECT_NEAR(st.airTemperature.value(), 294.15, 1e-9);
  EXPECT_THROW(sky.at(at("2026-06-22T11:00:00Z")), std::out_of_range);
}

TEST(WeatherTest, RejectsFileWithoutHeader) {
  const auto file = writeFile("ej_bad.csv", "a,b\n1,2\n");
  EXPECT_THROW(readWeatherFile(file), std::runtime_error);
}

TEST(WeatherTest, DailyClearSkyInsolationIsPlausibleForTrieste) {
  const Sky sky(kTrieste, WeatherParams{});
  const PanelOrientation flat{deg(0), deg(180), ratio(0.2)};
  const auto june = dailyInsolation(sky, at("2026-06-21T00:00:00Z"), flat);
  const auto dec = dailyInsolation(sky, at("2026-12-21T00:00:00Z"), flat);
  // Horizontal plane: POA equals GHI.
  EXPECT_NEAR(june.poa_Whm2, june.ghi_Whm2, 1e-6);
  // Clear-sky GHI at 45.6 N: about 8.5 kWh/m2 in June and 2 kWh/m2 in December (PVGIS
  // clear-sky daily profiles for Trieste are of this size; Haurwitz is within ~10 %).
  EXPECT_GT(june.ghi_Whm2, 7500);
  EXPECT_LT(june.ghi_Whm2, 9500);
  EXPECT_GT(dec.ghi_Whm2, 1500);
  EXPECT_LT(dec.ghi_Whm2, 2600);
  // A 60 deg south-facing panel gains in December.
  const auto tilted = dailyInsolation(sky, at("2026-12-21T00:00:00Z"), {deg(60), deg(180)});
  EXPECT_GT(tilted.poa_Whm2, 1.5 * dec.ghi_Whm2);
}

}  // namespace
}  // namespace ej::solar
