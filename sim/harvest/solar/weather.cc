// Weather models and the CSV irradiance trace reader; see weather.h.
#include "sim/harvest/solar/weather.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/constants/constants.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/core/calendar.h"

namespace ej::solar {
namespace {

constexpr double kYear_s = 365.0 * kSecondsPerDay;
constexpr double kPi = boost::math::constants::pi<double>();

// Civil date of a day count since 1970-01-01 (H. Hinnant, "chrono-compatible low-level
// date algorithms", civil_from_days).
struct Civil {
  int year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};
Civil civilFromDays(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long y = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}
long daysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}
bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Seconds since 1 January 00:00 UTC of the instant's year, on a 365-day year: in leap
// years 29 February folds onto 28 February and later days move back one day.
double secondsIntoNoLeapYear(double epoch) {
  const long days = static_cast<long>(std::floor(epoch / kSecondsPerDay));
  const Civil c = civilFromDays(days);
  double s = epoch - static_cast<double>(daysFromCivil(c.year, 1, 1)) * kSecondsPerDay;
  if (isLeap(c.year) && (c.month > 2 || (c.month == 2 && c.day == 29))) s -= kSecondsPerDay;
  return s;
}

unsigned monthOf(double epoch) {
  return civilFromDays(static_cast<long>(std::floor(epoch / kSecondsPerDay))).month;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}
std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(" \t\r\"");
  if (a == std::string::npos) return {};
  const auto b = s.find_last_not_of(" \t\r\"");
  return s.substr(a, b - a + 1);
}
std::vector<std::string> splitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(trim(cell));
  return out;
}

// "2020-06-21T10:00Z" or PVGIS "20200621:1010".
std::optional<double> parseTraceTime(const std::string& text) {
  if (auto iso = core::parseUtcTimestamp(text)) return iso;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  char tail = 0;
  if (text.size() == 13 &&
      std::sscanf(text.c_str(), "%4d%2d%2d:%2d%2d%c", &y, &mo, &d, &h, &mi, &tail) == 5 &&
      mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59) {
    return static_cast<double>(
               daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) *
               kSecondsPerDay +
           h * 3600.0 + mi * 60.0;
  }
  return std::nullopt;
}

std::optional<double> parseNumber(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

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

std::optional<TraceSample> interpolate(const std::vector<TraceSample>& v, double t) {
  if (v.empty() || t < v.front().epoch || t > v.back().epoch) return std::nullopt;
  auto hi = std::lower_bound(v.begin(), v.end(), t,
                             [](const TraceSample& s, double x) { return s.epoch < x; });
  if (hi == v.begin()) return lerp(*hi, *hi, t);
  return lerp(*(hi - 1), *hi, t);
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

}  // namespace

IrradianceTrace IrradianceTrace::fromSamples(std::vector<TraceSample> samples) {
  IrradianceTrace t;
  std::sort(samples.begin(), samples.end(),
            [](const TraceSample& a, const TraceSample& b) { return a.epoch < b.epoch; });
  t.m_samples = std::move(samples);
  for (const auto& s : t.m_samples) {
    const long days = static_cast<long>(std::floor(s.epoch / kSecondsPerDay));
    const Civil c = civilFromDays(days);
    if (c.month == 2 && c.day == 29) continue;  // a typical year has 365 days
    TraceSample y = s;
    y.epoch = secondsIntoNoLeapYear(s.epoch);
    t.m_yearSamples.push_back(y);
  }
  std::sort(t.m_yearSamples.begin(), t.m_yearSamples.end(),
            [](const TraceSample& a, const TraceSample& b) { return a.epoch < b.epoch; });
  return t;
}

IrradianceTrace IrradianceTrace::readCsv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open", file.string()));
  std::string line;
  int lineNo = 0;
  int iTime = -1, iGhi = -1, iDni = -1, iDhi = -1, iTemp = -1;
  bool inTable = false;
  std::vector<TraceSample> samples;
  while (std::getline(in, line)) {
    ++lineNo;
    const auto cells = splitCsv(line);
    if (!inTable) {
      for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
        const std::string c = lower(cells[static_cast<std::size_t>(i)]);
        if (c == "time" || c == "timestamp" || c == "time(utc)") iTime = i;
        if (c == "ghi" || c == "g(h)") iGhi = i;
        if (c == "dni" || c == "gb(n)") iDni = i;
        if (c == "dhi" || c == "gd(h)") iDhi = i;
        if (c == "temp_air" || c == "t2m") iTemp = i;
      }
      if (iTime >= 0 && iGhi >= 0) {
        inTable = true;
      } else {
        iTime = iGhi = iDni = iDhi = iTemp = -1;
      }
      continue;
    }
    if (trim(line).empty()) break;  // PVGIS: a blank line ends the table
    auto cell = [&](int i) -> std::string {
      return i >= 0 && i < static_cast<int>(cells.size()) ? cells[static_cast<std::size_t>(i)]
                                                          : std::string();
    };
    const auto t = parseTraceTime(cell(iTime));
    if (!t) {
      if (samples.empty()) {
        throw std::runtime_error(
            fmt::format("{}:{}: cannot read time '{}'", file.string(), lineNo, cell(iTime)));
      }
      break;  // the footer after the table
    }
    TraceSample s;
    s.epoch = *t;
    const auto ghi = parseNumber(cell(iGhi));
    if (!ghi) {
      throw std::runtime_error(
          fmt::format("{}:{}: cannot read GHI '{}'", file.string(), lineNo, cell(iGhi)));
    }
    s.ghi_Wm2 = *ghi;
    if (iDni >= 0) s.dni_Wm2 = parseNumber(cell(iDni));
    if (iDhi >= 0) s.dhi_Wm2 = parseNumber(cell(iDhi));
    if (iTemp >= 0) s.tempAir_C = parseNumber(cell(iTemp));
    samples.push_back(s);
  }
  if (!inTable) {
    throw std::runtime_error(fmt::format(
        "{}: no header line with a time column (time, timestamp) and a GHI column (ghi, "
        "G(h))",
        file.string()));
  }
  if (samples.empty()) throw std::runtime_error(fmt::format("{}: no samples", file.string()));
  return fromSamples(std::move(samples));
}

std::optional<TraceSample> IrradianceTrace::at(double epoch, bool typicalYear) const {
  if (!typicalYear) return interpolate(m_samples, epoch);
  if (m_yearSamples.empty()) return std::nullopt;
  const double s = secondsIntoNoLeapYear(epoch);
  const auto& v = m_yearSamples;
  if (s >= v.front().epoch && s <= v.back().epoch) return interpolate(v, s);
  // Across the year end: between the last sample and the first one of the next year.
  TraceSample last = v.back();
  TraceSample first = v.front();
  first.epoch += kYear_s;
  const double x = s < v.front().epoch ? s + kYear_s : s;
  return lerp(last, first, x);
}

WeatherParams WeatherParams::fromConfig(const core::Config& cfg) {
  WeatherParams p;
  const std::string kind =
      cfg.choice("model", {"clear_sky", "monthly_clearness", "trace"}, "clear_sky");
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
  } else {
    p.kind = Kind::Trace;
    const auto file = cfg.existingFile("file");
    try {
      p.trace = IrradianceTrace::readCsv(file);
    } catch (const std::runtime_error& e) {
      cfg.fail("file", e.what());
    }
    p.typicalYear = cfg.flag("typical_year", false);
  }
  return p;
}

Sky::Sky(Site site, WeatherParams weather) : m_site(site), m_weather(std::move(weather)) {}

Sky::State Sky::at(double epoch) const {
  State st;
  st.sun = solarPosition(m_site, epoch);
  const unsigned month = monthOf(epoch);
  double tempC = m_weather.airTemperature_C[month - 1];
  switch (m_weather.kind) {
    case WeatherParams::Kind::ClearSky:
    case WeatherParams::Kind::MonthlyClearness: {
      const double factor =
          m_weather.kind == WeatherParams::Kind::ClearSky ? 1.0 : m_weather.clearness[month - 1];
      st.irradiance = erbsDecomposition(haurwitzGhi(st.sun.zenith) * factor, st.sun.zenith,
                                        st.sun.earthSunDistance_AU);
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
        st.irradiance = erbsDecomposition(ghi, st.sun.zenith, st.sun.earthSunDistance_AU);
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
