// The sky over a site: clear sky, clear sky scaled by a monthly clearness factor, or a
// measured/typical-year irradiance trace (CSV, e.g. a PVGIS hourly or TMY export).
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/harvest/solar/irradiance.h"
#include "sim/harvest/solar/solar_position.h"

namespace ej::solar {

// One sample of a trace: an instant and what was measured then.
struct TraceSample {
  double epoch;                     // seconds since 1970-01-01T00:00:00Z
  double ghi_Wm2;                   // global horizontal
  std::optional<double> dni_Wm2;    // direct normal, when the file has it
  std::optional<double> dhi_Wm2;    // diffuse horizontal, when the file has it
  std::optional<double> tempAir_C;  // air temperature, when the file has it
};

// An irradiance time series read from CSV. Columns, found by a header line (case
// insensitive, any order, other columns ignored; lines before the header and after the
// table, such as PVGIS's preamble and footer, are skipped):
//   time      `time`, `timestamp`, `time(utc)`: ISO 8601 UTC ("2020-06-21T10:00Z") or PVGIS
//             "YYYYMMDD:HHMM" (UTC)
//   ghi       `ghi`, `G(h)`: global horizontal irradiance, W/m2 (required)
//   dni       `dni`, `Gb(n)`: beam normal irradiance, W/m2 (optional)
//   dhi       `dhi`, `Gd(h)`: diffuse horizontal irradiance, W/m2 (optional)
//   air temp  `temp_air`, `T2m`: degC (optional)
// Values between samples are interpolated linearly.
class IrradianceTrace {
 public:
  static IrradianceTrace readCsv(const std::filesystem::path& file);
  static IrradianceTrace fromSamples(std::vector<TraceSample> samples);

  // The sample interpolated at EPOCH. With TYPICAL_YEAR the trace is read as a typical
  // year (TMY: each month may come from a different year): instants are matched by their
  // time since 1 January, so any year of simulation finds data. Outside the trace
  // otherwise: none.
  std::optional<TraceSample> at(double epoch, bool typicalYear) const;
  const std::vector<TraceSample>& samples() const { return m_samples; }

 private:
  std::vector<TraceSample> m_samples;      // by epoch
  std::vector<TraceSample> m_yearSamples;  // epoch replaced by seconds since 1 January
};

struct WeatherParams {
  enum class Kind { ClearSky, MonthlyClearness, Trace };
  Kind kind = Kind::ClearSky;  // `model: clear_sky | monthly_clearness | trace`
  // Monthly clearness factor: the month's mean GHI over the Haurwitz clear-sky GHI
  // (Jan..Dec), from e.g. PVGIS monthly radiation; multiplies the clear sky.
  std::array<double, 12> clearness{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  // Air temperature (Jan..Dec) where the trace has none; 20 degC by default.
  std::array<double, 12> airTemperature_C{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20};
  std::optional<IrradianceTrace> trace;  // `file:` for model trace
  bool typicalYear = false;              // `typical_year:` see IrradianceTrace::at

  static WeatherParams fromConfig(const core::Config& cfg);
};

// Site plus weather: the sunlight at any instant.
class Sky {
 public:
  Sky(Site site, WeatherParams weather);

  struct State {
    SolarPosition sun;
    SkyIrradiance irradiance;
    Temperature airTemperature;
  };
  // Sun position, GHI/DNI/DHI and air temperature at EPOCH. Throws std::out_of_range when
  // a trace does not cover EPOCH.
  State at(double epoch) const;
  // Plane-of-array irradiance of PANEL at EPOCH.
  PlaneOfArray planeOfArray(double epoch, const PanelOrientation& panel) const;

  const Site& site() const { return m_site; }

 private:
  Site m_site;
  WeatherParams m_weather;
};

// Insolation of one UTC day: GHI and plane-of-array irradiance integrated over the day.
struct DailyInsolation {
  double ghi_Whm2;
  double poa_Whm2;
};
// Trapezoidal integration at STEP_S (60 s gives well under 0.1 % error on a smooth day).
DailyInsolation dailyInsolation(const Sky& sky, double dayStartEpoch, const PanelOrientation& panel,
                                double step_s = 60.0);

// Site from `latitude:` and `longitude:` (angles, e.g. "45.65 deg").
Site siteFromConfig(const core::Config& cfg);
// Orientation from `tilt:`, `azimuth:` (default 180 deg, facing south) and `albedo:`
// (default 0.2, grass; Duffie & Beckman table 2.17.1 give 0.2 as the usual default).
PanelOrientation orientationFromConfig(const core::Config& cfg);

}  // namespace ej::solar
