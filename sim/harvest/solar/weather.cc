// Weather models and the irradiance trace; see weather.h (readers: weather_files.h).
#include "sim/harvest/solar/weather.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/constants/constants.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "sim/core/calendar.h"
#include "sim/harvest/solar/civil_date.h"
#include "sim/harvest/solar/weather_files.h"

namespace ej::solar {
namespace {

constexpr double kYear_s = 365.0 * kSecondsPerDay;
constexpr double kPi = boost::math::constants::pi<double>();
constexpr const char* kMonthNames[12] = {"January",   "February", "March",    "April",
                                         "May",       "June",     "July",     "August",
                                         "September", "October",  "November", "December"};

unsigned monthOf(double epoch) { return civilOf(epoch).month; }

TraceSample lerp(const TraceSample& a, const TraceSample& b, double epoch) {
  const double w = b.epoch > a.epoch ? (epoch - a.epoch) / (b.epoch - a.epoch) : 0.0;
  auto mix = [w](std::optional<double> x, std::optional<double> y) -> std::optional<double> {
    if (!x || !y) return std::nullopt;
    return *x + w * (*y - *x);
  };
  TraceSample s;
  s.epoch = epoch;
  s.ghi_Wm2 = a.ghi_Wm2 + w * (b.ghi_Wm2 - a.ghi_Wm2);
  s.dni_Wm2 = mix(a.dni_Wm2, b.dni_Wm2);
  s.dhi_Wm2 = mix(a.dhi_Wm2, b.dhi_Wm2);
  s.tempAir_C = mix(a.tempAir_C, b.tempAir_C);
  return s;
}

// V at T: linear between samples; before the first and after the last sample the
// nearest one held for less than HOLD_S; none beyond.
std::optional<TraceSample> interpolate(const std::vector<TraceSample>& v, double t, double hold_s) {
  if (v.empty() || t <= v.front().epoch - hold_s || t >= v.back().epoch + hold_s) {
    return std::nullopt;
  }
  if (t <= v.front().epoch) return lerp(v.front(), v.front(), t);
  if (t >= v.back().epoch) return lerp(v.back(), v.back(), t);
  auto hi = std::lower_bound(v.begin(), v.end(), t,
                             [](const TraceSample& s, double x) { return s.epoch < x; });
  if (hi == v.begin()) return lerp(*hi, *hi, t);
  return lerp(*(hi - 1), *hi, t);
}

std::string describeStep(double step_s) {
  if (step_s >= 3600 && std::fmod(step_s, 3600) == 0) return fmt::format("{:g} h", step_s / 3600);
  if (step_s >= 60 && std::fmod(step_s, 60) == 0) return fmt::format("{:g} min", step_s / 60);
  return fmt::format("{:g} s", step_s);
}

std::array<double, 12> twelve(const core::Config& cfg, const std::string& key, core::Dimension dim,
                              double offset) {
  const auto items = cfg.texts(key);
  if (items.size() != 12) cfg.fail(key, "expected a list of 12 monthly values (Jan..Dec)");
  std::array<double, 12> out{};
  for (std::size_t i = 0; i < 12; ++i) {
    const auto q = core::parseQuantity(items[i]);
    if (!q || q->dimension != dim || !std::isfinite(q->value)) {
      cfg.fail(key, fmt::format("item {} '{}' is not {}", i + 1, items[i], core::describe(dim)));
    }
    out[i] = q->value - offset;
  }
  return out;
}

// The mean daily clear-sky GHI of each month, uncached (see clearSkyMeanDailyGhi).
std::array<double, 12> computeClearSkyMeanDailyGhi(const Site& site, int year, double step_s) {
  std::array<double, 12> out{};
  const int n = static_cast<int>(std::ceil(kSecondsPerDay / step_s));
  const double h = kSecondsPerDay / n;
  SolarPositionSeries sun(site);
  for (unsigned m = 1; m <= 12; ++m) {
    const unsigned days = daysInMonth(year, m);
    double total_Jm2 = 0;
    for (unsigned d = 1; d <= days; ++d) {
      const double start = static_cast<double>(daysFromCivil(year, m, d)) * kSecondsPerDay;
      for (int i = 0; i <= n; ++i) {
        const double w = (i == 0 || i == n) ? 0.5 : 1.0;
        total_Jm2 += w * h * haurwitzGhiCosZenith(sun.at(start + i * h).cosZenith).value();
      }
    }
    out[m - 1] = total_Jm2 / days;
  }
  return out;
}

}  // namespace

std::array<double, 12> clearSkyMeanDailyGhi(const Site& site, int year, double step_s) {
  using Key = std::tuple<double, double, int, double>;
  static std::mutex mutex;
  static std::map<Key, std::array<double, 12>> cache;
  const Key key{site.latitude.value(), site.longitude.value(), year, step_s};
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  const auto means = computeClearSkyMeanDailyGhi(site, year, step_s);
  const std::lock_guard<std::mutex> lock(mutex);
  cache.emplace(key, means);
  return means;
}

void WeatherParams::scaleToSite(const Site& site) {
  if (kind != Kind::MonthlyIrradiation) return;
  const auto clear = clearSkyMeanDailyGhi(site, kReferenceYear);
  for (std::size_t m = 0; m < 12; ++m) {
    const double kWh = ghiDaily_Jm2[m] / 3.6e6, clearKWh = clear[m] / 3.6e6;
    if (clear[m] <= 0) {
      if (ghiDaily_Jm2[m] > 0) {
        throw std::invalid_argument(
            fmt::format("{}: {:.3g} kWh/m2 a day, but the sun never rises in {} at this site",
                        kMonthNames[m], kWh, kMonthNames[m]));
      }
      clearness[m] = 0;
      continue;
    }
    clearness[m] = ghiDaily_Jm2[m] / clear[m];
    if (clearness[m] > 1.2) {
      throw std::invalid_argument(fmt::format(
          "{}: {:.3g} kWh/m2 a day is {:.2f} times this site's clear-sky mean ({:.3g} kWh/m2 a "
          "day); a monthly mean lies below the clear sky: check the unit (MJ/m2 or kWh/m2, a "
          "day or a month)",
          kMonthNames[m], kWh, clearness[m], clearKWh));
    }
  }
}

IrradianceTrace IrradianceTrace::fromSamples(std::vector<TraceSample> samples, std::string name,
                                             bool typical) {
  IrradianceTrace t;
  t.m_name = std::move(name);
  t.m_typical = typical;
  std::stable_sort(samples.begin(), samples.end(),
                   [](const TraceSample& a, const TraceSample& b) { return a.epoch < b.epoch; });
  t.m_samples = std::move(samples);
  for (const auto& s : t.m_samples) {
    const Civil c = civilOf(s.epoch);
    if (c.month == 2 && c.day == 29) continue;  // a typical year has 365 days
    TraceSample y = s;
    y.epoch = secondsIntoNoLeapYear(s.epoch);
    t.m_yearSamples.push_back(y);
  }
  std::stable_sort(t.m_yearSamples.begin(), t.m_yearSamples.end(),
                   [](const TraceSample& a, const TraceSample& b) { return a.epoch < b.epoch; });
  // The step: the median spacing (of the year-folded stamps for a typical year, whose
  // months come from different years).
  const auto& v = typical ? t.m_yearSamples : t.m_samples;
  std::vector<double> gaps;
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (v[i].epoch > v[i - 1].epoch) gaps.push_back(v[i].epoch - v[i - 1].epoch);
  }
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
    t.m_step_s = gaps[gaps.size() / 2];
  }
  return t;
}

std::optional<TraceSample> IrradianceTrace::at(double epoch, bool typicalYear) const {
  if (!typicalYear) return interpolate(m_samples, epoch, m_step_s);
  if (m_yearSamples.empty()) return std::nullopt;
  const double s = secondsIntoNoLeapYear(epoch);
  const auto& v = m_yearSamples;
  if (s >= v.front().epoch && s <= v.back().epoch) return interpolate(v, s, m_step_s);
  // Across the year end: between the last sample and the first one of the next year, when
  // they are at most 1.5 steps apart (checkCovers refuses a typical year with a hole).
  TraceSample last = v.back();
  TraceSample first = v.front();
  first.epoch += kYear_s;
  if (first.epoch - last.epoch > 1.5 * m_step_s) {
    return interpolate(v, s, m_step_s);
  }
  const double x = s < v.front().epoch ? s + kYear_s : s;
  return lerp(last, first, x);
}

void IrradianceTrace::checkCovers(double firstEpoch, double lastEpoch, bool typicalYear) const {
  const std::string step = describeStep(m_step_s);
  if (typicalYear) {
    const auto& v = m_yearSamples;
    if (v.empty()) throw std::runtime_error(fmt::format("{}: no samples", m_name));
    // Largest hole, the year's end included (31 December to 1 January).
    double hole = v.front().epoch + kYear_s - v.back().epoch;
    double holeAt = v.back().epoch;
    for (std::size_t i = 1; i < v.size(); ++i) {
      if (v[i].epoch - v[i - 1].epoch > hole) {
        hole = v[i].epoch - v[i - 1].epoch;
        holeAt = v[i - 1].epoch;
      }
    }
    if (hole > 1.5 * m_step_s) {
      const double days = (v.back().epoch - v.front().epoch) / kSecondsPerDay;
      throw std::runtime_error(fmt::format(
          "{}: `typical_year: true` needs a whole year (1 January to 31 December, step {}), "
          "but the trace spans {:.1f} days and has a hole of {:.1f} days after day {:.2f} of "
          "the year: give a whole typical year, or `typical_year: false` and a trace "
          "covering the run",
          m_name, step, days, hole / kSecondsPerDay, holeAt / kSecondsPerDay + 1));
    }
    return;
  }
  if (m_samples.empty()) throw std::runtime_error(fmt::format("{}: no samples", m_name));
  const double a = m_samples.front().epoch, b = m_samples.back().epoch;
  if (!at(firstEpoch, false) || !at(lastEpoch, false)) {
    throw std::runtime_error(fmt::format(
        "{}: the trace covers {} to {} (step {}); the run samples it from {} to {}: a value "
        "is held for less than one step before the first and after the last stamp, no "
        "further",
        m_name, core::formatUtc(a), core::formatUtc(b), step, core::formatUtc(firstEpoch),
        core::formatUtc(lastEpoch)));
  }
}

WeatherParams WeatherParams::fromConfig(const core::Config& cfg) {
  WeatherParams p;
  const std::string kind = cfg.choice(
      "model", {"clear_sky", "monthly_clearness", "monthly_irradiation", "trace"}, "clear_sky");
  if (cfg.has("air_temperature")) {
    p.airTemperature_C = twelve(cfg, "air_temperature", core::Dimension::Temperature, 273.15);
  }
  if (kind == "clear_sky") {
    p.kind = Kind::ClearSky;
  } else if (kind == "monthly_clearness") {
    p.kind = Kind::MonthlyClearness;
    p.clearness = twelve(cfg, "clearness", core::Dimension::Ratio, 0.0);
    for (double c : p.clearness) {
      if (c < 0 || c > 1.2) cfg.fail("clearness", "factors must lie between 0 and 1.2");
    }
  } else if (kind == "monthly_irradiation") {
    p.kind = Kind::MonthlyIrradiation;
    p.ghiDaily_Jm2 = twelve(cfg, "ghi_daily", core::Dimension::InsolationPerArea, 0.0);
    for (std::size_t m = 0; m < 12; ++m) {
      if (p.ghiDaily_Jm2[m] < 0) {
        cfg.fail("ghi_daily", fmt::format("item {} ({}) is negative: an irradiation is >= 0", m + 1,
                                          kMonthNames[m]));
      }
    }
  } else {
    p.kind = Kind::Trace;
    const auto file = cfg.existingFile("file");
    try {
      p.trace = readWeatherFile(file);
    } catch (const std::runtime_error& e) {
      cfg.fail("file", e.what());
    }
    p.typicalYear = cfg.flag("typical_year", p.trace->typical());
    if (p.trace->typical() && !p.typicalYear) {
      cfg.fail("typical_year",
               "the file is a typical meteorological year (its months come from different "
               "years): it can only be read with `typical_year: true`");
    }
    if (p.typicalYear) {
      try {
        p.trace->checkCovers(0, 0, true);
      } catch (const std::runtime_error& e) {
        cfg.fail("typical_year", e.what());
      }
    }
  }
  return p;
}

Sky::Sky(Site site, WeatherParams weather)
    : m_site(site), m_weather(std::move(weather)), m_sun(m_site) {
  m_weather.scaleToSite(m_site);
}

const Sky::State& Sky::at(double epoch) const {
  if (!m_last || m_last->first != epoch) m_last.emplace(epoch, compute(epoch));
  return m_last->second;
}

Sky::State Sky::compute(double epoch) const {
  State st;
  st.sun = m_sun.at(epoch);
  const double day = std::floor(epoch / kSecondsPerDay);
  if (!(day == m_monthDay)) {
    m_month = monthOf(epoch);
    m_monthDay = day;
  }
  const unsigned month = m_month;
  double tempC = m_weather.airTemperature_C[month - 1];
  switch (m_weather.kind) {
    case WeatherParams::Kind::ClearSky:
    case WeatherParams::Kind::MonthlyClearness:
    case WeatherParams::Kind::MonthlyIrradiation: {
      const double factor =
          m_weather.kind == WeatherParams::Kind::ClearSky ? 1.0 : m_weather.clearness[month - 1];
      st.irradiance = erbsDecompositionCosZenith(haurwitzGhiCosZenith(st.sun.cosZenith) * factor,
                                                 st.sun.cosZenith, st.sun.earthSunDistance_AU);
      break;
    }
    case WeatherParams::Kind::Trace: {
      const auto s = m_weather.trace->at(epoch, m_weather.typicalYear);
      if (!s) {
        throw std::out_of_range(
            fmt::format("the irradiance trace does not cover {}", core::formatUtc(epoch)));
      }
      if (s->tempAir_C) tempC = *s->tempAir_C;
      const Irradiance ghi = Irradiance::from_value(std::max(0.0, s->ghi_Wm2));
      if (s->dni_Wm2 && s->dhi_Wm2) {
        st.irradiance = {ghi, Irradiance::from_value(std::max(0.0, *s->dni_Wm2)),
                         Irradiance::from_value(std::max(0.0, *s->dhi_Wm2))};
      } else {
        st.irradiance =
            erbsDecompositionCosZenith(ghi, st.sun.cosZenith, st.sun.earthSunDistance_AU);
      }
      break;
    }
  }
  st.airTemperature = (tempC + 273.15) * si::kelvin;
  return st;
}

PlaneOfArray Sky::planeOfArray(double epoch, const PanelOrientation& panel) const {
  const State st = at(epoch);
  return transpose(st.irradiance, st.sun, panel);
}

DailyInsolation dailyInsolation(const Sky& sky, double dayStartEpoch, const PanelOrientation& panel,
                                double step_s) {
  DailyInsolation d{0, 0};
  const int n = static_cast<int>(std::ceil(kSecondsPerDay / step_s));
  const double h = kSecondsPerDay / n;
  for (int i = 0; i <= n; ++i) {
    const double w = (i == 0 || i == n) ? 0.5 : 1.0;
    const Sky::State st = sky.at(dayStartEpoch + i * h);
    d.ghi_Whm2 += w * h * st.irradiance.ghi.value() / 3600.0;
    d.poa_Whm2 += w * h * transpose(st.irradiance, st.sun, panel).total.value() / 3600.0;
  }
  return d;
}

Site siteFromConfig(const core::Config& cfg) {
  Site s;
  s.latitude = cfg.quantity<Angle>("latitude");
  s.longitude = cfg.quantity<Angle>("longitude");
  if (std::abs(s.latitude.value()) > kPi / 2 + 1e-12)
    cfg.fail("latitude", "must lie within +-90 deg");
  if (std::abs(s.longitude.value()) > kPi + 1e-12)
    cfg.fail("longitude", "must lie within +-180 deg");
  return s;
}

PanelOrientation orientationFromConfig(const core::Config& cfg) {
  PanelOrientation o;
  o.tilt = cfg.quantity<Angle>("tilt", Angle(), core::Range::NonNegative);
  if (o.tilt.value() > kPi / 2 + 1e-12) cfg.fail("tilt", "must lie between 0 and 90 deg");
  o.azimuth = cfg.quantity<Angle>("azimuth", Angle(kPi * si::radians));
  o.albedo = ratio(cfg.number("albedo", 0.2, core::Range::Fraction));
  return o;
}

}  // namespace ej::solar
