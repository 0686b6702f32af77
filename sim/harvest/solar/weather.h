// The sky over a site: clear sky, clear sky scaled by a monthly clearness factor (given, or
// derived from a published monthly mean daily irradiation), or a measured or typical-year
// irradiance trace (EPW, PVGIS, NSRDB or a plain CSV).
#pragma once

#include <array>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <utility>
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

// An irradiance time series from a weather file (readers in weather_files.h: EPW, PVGIS
// TMY CSV and JSON, PVGIS hourly CSV, NSRDB/SAM CSV, a plain CSV with ISO 8601 stamps).
//
// Between two stamps values are interpolated linearly. At the ends the rule is: before
// the first stamp and after the last one the nearest row is held for less than one step
// of the file (its median spacing: 59 min of an hourly file), and no further. A run whose
// steps fall outside that is refused when the scenario is loaded (checkCovers).
class IrradianceTrace {
 public:
  // SAMPLES sorted by epoch (a typical year: by time since 1 January), checked by the
  // reader; NAME names the file in errors; TYPICAL: the file is a typical meteorological
  // year (EPW, PVGIS TMY), its months taken from different years.
  static IrradianceTrace fromSamples(std::vector<TraceSample> samples, std::string name = {},
                                     bool typical = false);

  // The sample interpolated at EPOCH. With TYPICAL_YEAR the trace is read as a typical
  // year (TMY: each month may come from a different year): instants are matched by their
  // time since 1 January, so any year of simulation finds data. Outside the trace and the
  // hold rule above: none.
  std::optional<TraceSample> at(double epoch, bool typicalYear) const;
  const std::vector<TraceSample>& samples() const { return m_samples; }
  const std::string& name() const { return m_name; }
  // The file's step: the median spacing of its stamps.
  double step_s() const { return m_step_s; }
  // True for a typical-year file (EPW, PVGIS TMY).
  bool typical() const { return m_typical; }

  // Throws std::runtime_error naming the file when the trace does not give a value at
  // every instant of [FIRST, LAST] (epochs) by the rule above; with TYPICAL_YEAR, when it
  // does not cover a whole year (1 January to 31 December, gaps of at most 1.5 steps).
  void checkCovers(double firstEpoch, double lastEpoch, bool typicalYear) const;

 private:
  std::string m_name;
  bool m_typical = false;
  double m_step_s = 3600.0;
  std::vector<TraceSample> m_samples;      // by epoch
  std::vector<TraceSample> m_yearSamples;  // epoch replaced by seconds since 1 January
};

// The Haurwitz clear-sky GHI of each month at SITE, averaged over its days, in J/m2 a day
// (Jan..Dec): every UTC day of the month in YEAR integrated by the trapezoidal rule at STEP_S.
// Computed once per site and year and kept (the twelve months take ~10^5 sun positions).
std::array<double, 12> clearSkyMeanDailyGhi(const Site& site, int year, double step_s = 300.0);

struct WeatherParams {
  enum class Kind { ClearSky, MonthlyClearness, MonthlyIrradiation, Trace };
  // `model: clear_sky | monthly_clearness | monthly_irradiation | trace`
  Kind kind = Kind::ClearSky;
  // Monthly clearness factor: the month's mean GHI over the Haurwitz clear-sky GHI
  // (Jan..Dec); multiplies the clear sky. Given (`clearness:`), or derived from
  // ghiDaily_Jm2 and the site by scaleToSite().
  std::array<double, 12> clearness{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
  // `model: monthly_irradiation`, `ghi_daily:`: the month's mean daily global horizontal
  // irradiation (J/m2 a day, Jan..Dec) as a climatology publishes it.
  std::array<double, 12> ghiDaily_Jm2{};
  // The year whose days give the clear-sky monthly means the clearness is derived from
  // (clearSkyMeanDailyGhi). A fixed, non-leap year: in another year a month's clear-sky
  // mean differs by up to 0.7 % (the calendar's slide against the sun within the leap-year
  // cycle, and a leap February's 29th day; WeatherTest.ClearSkyMonthlyMeanHardlyDependsOnYear),
  // and so does the run's month mean from the stated figure.
  static constexpr int kReferenceYear = 2026;
  // Air temperature (Jan..Dec) where the trace has none; 20 degC by default.
  std::array<double, 12> airTemperature_C{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20};
  std::optional<IrradianceTrace> trace;  // `file:` for model trace
  // `typical_year:` see IrradianceTrace::at; true (and required) for a TMY file.
  bool typicalYear = false;

  static WeatherParams fromConfig(const core::Config& cfg);

  // For monthly_irradiation: clearness[m] = ghiDaily_Jm2[m] / the clear-sky mean daily GHI
  // of month m at SITE (clearSkyMeanDailyGhi, kReferenceYear), so that the scaled clear sky
  // gives the published mean. Throws std::invalid_argument naming the month when a factor
  // would exceed 1.2 (more than 20 % above this site's clear sky: most likely a wrong unit)
  // or when the month has no clear-sky sun at all but a published irradiation above 0.
  // Does nothing for the other models.
  void scaleToSite(const Site& site);
};

// Site plus weather: the sunlight at any instant.
class Sky {
 public:
  // With monthly_irradiation, WEATHER's clearness is derived for SITE here
  // (WeatherParams::scaleToSite; std::invalid_argument when it cannot be).
  Sky(Site site, WeatherParams weather);

  struct State {
    SolarPosition sun;
    SkyIrradiance irradiance;
    Temperature airTemperature;
  };
  // Sun position (SolarPositionSeries: within 2e-10 deg of solarPosition), GHI/DNI/DHI and
  // air temperature at EPOCH. Throws std::out_of_range when a trace does not cover EPOCH.
  // The last answer is kept: a harvest step asks twice for the same instant (the cell
  // temperature, then the panel's current). Not for several threads. The reference holds
  // until the next call.
  const State& at(double epoch) const;
  // Sunrise, noon and sunset of the UTC day starting at DAY_START_EPOCH (sunDay()), from the
  // same series as at(): within 1e-6 s of sunDay()'s events.
  SunDay sunDay(double dayStartEpoch) const { return m_sun.sunDay(dayStartEpoch); }
  // Plane-of-array irradiance of PANEL at EPOCH.
  PlaneOfArray planeOfArray(double epoch, const PanelOrientation& panel) const;

  const Site& site() const { return m_site; }
  const WeatherParams& weather() const { return m_weather; }

 private:
  State compute(double epoch) const;

  Site m_site;
  WeatherParams m_weather;
  mutable SolarPositionSeries m_sun;
  mutable std::optional<std::pair<double, State>> m_last;  // (epoch, at(epoch))
  // The month of the UTC day m_monthDay (days since 1970-01-01; NaN: none yet).
  mutable double m_monthDay = std::numeric_limits<double>::quiet_NaN();
  mutable unsigned m_month = 1;
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
