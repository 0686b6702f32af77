// Weather file readers; see weather_files.h.
#include "sim/harvest/solar/weather_files.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/calendar.h"
#include "sim/core/csv.h"
#include "sim/harvest/solar/civil_date.h"

namespace ej::solar {
namespace {

namespace fs = std::filesystem;
using core::CsvFile;
using core::CsvRow;

constexpr std::size_t kMaxJsonBytes = std::size_t{64} << 20;
// Years as ISO 8601 writes them (four digits): the EPW and NSRDB readers refuse others
// before the year becomes an int (a 90-digit year was undefined behaviour there, found by
// the csv fuzzer).
constexpr double kMaxYear = 9999;

// A sample and where it was read, for the checks.
struct Row {
  TraceSample sample;
  std::string where;  // "FILE:LINE" or "FILE: outputs.tmy_hourly[I]"
};

[[noreturn]] void failAt(const Row& r, const std::string& what) {
  throw std::runtime_error(fmt::format("{}: {}", r.where, what));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

bool startsWithDigit(const std::string& s) {
  return !s.empty() && std::isdigit(static_cast<unsigned char>(s.front()));
}

std::string describeStep(double step_s) {
  if (step_s >= 3600 && std::fmod(step_s, 3600) == 0) return fmt::format("{:g} h", step_s / 3600);
  if (step_s >= 60 && std::fmod(step_s, 60) == 0) return fmt::format("{:g} min", step_s / 60);
  return fmt::format("{:g} s", step_s);
}

// The checks every reader's rows pass: values in range, sorted without repeats (by time
// since 1 January for a typical year), no gap over 1.5 steps. Then the trace.
IrradianceTrace checkedTrace(std::vector<Row> rows, const std::string& name, bool typical) {
  if (rows.empty()) throw std::runtime_error(fmt::format("{}: no data rows", name));
  auto irradiance = [](const Row& r, const char* what, std::optional<double> v) {
    if (v && (*v < 0 || *v > kMaxIrradiance_Wm2)) {
      failAt(r, fmt::format("{} {:g} W/m2 is outside 0..{:g} W/m2", what, *v, kMaxIrradiance_Wm2));
    }
  };
  for (const Row& r : rows) {
    irradiance(r, "GHI", r.sample.ghi_Wm2);
    irradiance(r, "DNI", r.sample.dni_Wm2);
    irradiance(r, "DHI", r.sample.dhi_Wm2);
    const auto t = r.sample.tempAir_C;
    if (t && (*t < kMinAirTemperature_C || *t > kMaxAirTemperature_C)) {
      failAt(r, fmt::format("air temperature {:g} degC is outside {:g}..{:g} degC", *t,
                            kMinAirTemperature_C, kMaxAirTemperature_C));
    }
  }
  // A typical year is ordered by its time since 1 January (29 February has no place in it).
  auto key = [typical](const Row& r) {
    return typical ? secondsIntoNoLeapYear(r.sample.epoch) : r.sample.epoch;
  };
  if (typical) {
    rows.erase(std::remove_if(rows.begin(), rows.end(),
                              [](const Row& r) {
                                const Civil c = civilOf(r.sample.epoch);
                                return c.month == 2 && c.day == 29;
                              }),
               rows.end());
  }
  // A typical year in local time starts, in UTC, with the previous year's last hours (east
  // of Greenwich) or ends with the next year's first ones (west): its order may wrap once
  // around the year's end.
  constexpr double kYear_s = 365.0 * kSecondsPerDay;
  bool wrapped = false;
  std::vector<double> gaps;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    double d = key(rows[i]) - key(rows[i - 1]);
    if (typical && d < -0.5 * kYear_s && !wrapped) {
      wrapped = true;
      d += kYear_s;
    }
    if (wrapped && key(rows[i]) >= key(rows[0])) d = 0;  // came round to the first row
    if (d <= 0) {
      failAt(rows[i],
             fmt::format("{} is not after the previous row's {} ({}): rows must be sorted by "
                         "time, each instant once{}",
                         core::formatUtc(rows[i].sample.epoch),
                         core::formatUtc(rows[i - 1].sample.epoch), rows[i - 1].where,
                         typical ? " (a typical year: by month, day and hour)" : ""));
    }
    gaps.push_back(d);
  }
  if (!gaps.empty()) {
    std::vector<double> sorted = gaps;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double step = sorted[sorted.size() / 2];
    for (std::size_t i = 0; i < gaps.size(); ++i) {
      if (gaps[i] > 1.5 * step) {
        failAt(rows[i + 1], fmt::format("{} after the previous row ({}), the file's step is "
                                        "{}: rows are missing",
                                        describeStep(gaps[i]), rows[i].where, describeStep(step)));
      }
    }
  }
  std::vector<TraceSample> samples;
  samples.reserve(rows.size());
  for (auto& r : rows) samples.push_back(r.sample);
  return IrradianceTrace::fromSamples(std::move(samples), name, typical);
}

// A number cell of column WHAT in row R, or an error naming it.
double requireNumber(const Row& r, const std::string& cell, const char* what) {
  const auto v = core::csvNumber(cell);
  if (!v) {
    failAt(r, fmt::format("{} '{}' is {}", what, cell, cell.empty() ? "missing" : "not a number"));
  }
  return *v;
}

// --- plain CSV and PVGIS CSV ---------------------------------------------------------------

struct Columns {
  int time = -1, ghi = -1, dni = -1, dhi = -1, temp = -1;
};

Columns findColumns(const CsvRow& row) {
  Columns c;
  for (int i = 0; i < static_cast<int>(row.cells.size()); ++i) {
    const std::string n = lower(row.cells[static_cast<std::size_t>(i)]);
    if (n == "time" || n == "timestamp" || n == "time(utc)" || n == "time_utc" || n == "datetime") {
      c.time = i;
    }
    if (n == "ghi" || n == "g(h)") c.ghi = i;
    if (n == "dni" || n == "gb(n)") c.dni = i;
    if (n == "dhi" || n == "gd(h)") c.dhi = i;
    if (n == "temp_air" || n == "t2m" || n == "air_temperature") c.temp = i;
  }
  return c;
}

bool mentionsSemicolon(const CsvRow& row) {
  for (const auto& c : row.cells) {
    if (c.find(';') != std::string::npos) return true;
  }
  return false;
}

IrradianceTrace readCsvTrace(const CsvFile& csv) {
  const auto& rows = csv.rows();
  std::size_t h = 0;
  Columns col;
  bool typical = false;  // PVGIS TMY: a `month,year` table of the chosen months above
  for (; h < rows.size(); ++h) {
    const auto& cells = rows[h].cells;
    if (cells.size() == 2 && lower(cells[0]) == "month" && lower(cells[1]) == "year") {
      typical = true;
    }
    col = findColumns(rows[h]);
    if (col.time >= 0 && col.ghi >= 0) break;
  }
  if (h == rows.size()) {
    const bool semicolons =
        std::any_of(rows.begin(), rows.end(), [](const CsvRow& r) { return mentionsSemicolon(r); });
    csv.fail(fmt::format(
        "no header line with a time column (time, timestamp, time(UTC)) and a GHI column "
        "(ghi, G(h)){}",
        semicolons ? "; the file uses ';' where CSV separates with ','" : ""));
  }
  const std::size_t width = rows[h].cells.size();
  // Rows after the table that are not data (PVGIS's footer) start with a letter, and no
  // data row follows them; any row starting with a digit is data and must be good.
  auto dataFollows = [&](std::size_t i) {
    for (std::size_t j = i + 1; j < rows.size(); ++j) {
      if (!rows[j].blank() && startsWithDigit(rows[j].cells[0])) return true;
    }
    return false;
  };
  std::vector<Row> out;
  for (std::size_t i = h + 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    Row row{{}, fmt::format("{}:{}", csv.name(), r.line)};
    if (r.blank() || !startsWithDigit(r.cells[0])) {
      if (!dataFollows(i)) break;
      failAt(row, r.blank() ? "a blank line inside the table"
                            : fmt::format("cannot read time '{}'", r.cells[0]));
    }
    if (r.cells.size() != width) {
      failAt(row, fmt::format("{} column{} where the header (line {}) has {}{}", r.cells.size(),
                              r.cells.size() == 1 ? "" : "s", rows[h].line, width,
                              mentionsSemicolon(r) ? "; the row uses ';' where CSV separates "
                                                     "with ','"
                                                   : ""));
    }
    auto cell = [&](int c) { return r.cells[static_cast<std::size_t>(c)]; };
    const std::string text = cell(col.time);
    auto t = parsePvgisTime(text);
    if (!t) t = parseIsoInstant(text);
    if (!t) {
      const bool noZone = parseIsoInstant(text + "Z").has_value();
      failAt(row, noZone ? fmt::format("time '{}' has no zone: end it with Z (UTC) or an "
                                       "offset such as +01:00",
                                       text)
                         : fmt::format("cannot read time '{}': expected ISO 8601 with a zone "
                                       "(2026-06-21T10:00Z, 2026-06-21T12:00+02:00) or PVGIS "
                                       "YYYYMMDD:HHMM",
                                       text));
    }
    row.sample.epoch = *t;
    row.sample.ghi_Wm2 = requireNumber(row, cell(col.ghi), "GHI");
    if (col.dni >= 0) row.sample.dni_Wm2 = requireNumber(row, cell(col.dni), "DNI");
    if (col.dhi >= 0) row.sample.dhi_Wm2 = requireNumber(row, cell(col.dhi), "DHI");
    if (col.temp >= 0) row.sample.tempAir_C = requireNumber(row, cell(col.temp), "air temperature");
    out.push_back(std::move(row));
  }
  return checkedTrace(std::move(out), csv.name(), typical);
}

// --- EPW -----------------------------------------------------------------------------------

// EnergyPlus Auxiliary Programs, "Weather Converter Program", EnergyPlus Weather File (EPW)
// Data Dictionary: 8 header lines (LOCATION, ..., DATA PERIODS), then one line per hour:
// 1 year, 2 month, 3 day, 4 hour (1..24, the hour ending then), 5 minute, 6 data source,
// 7 dry bulb temperature (degC, missing 99.9), ..., 14 global horizontal radiation (Wh/m2
// over the hour before the stamp, missing 9999), 15 direct normal, 16 diffuse horizontal.
// Times are local standard time, LOCATION's 9th field (time zone, hours from GMT).
IrradianceTrace readEpw(const CsvFile& csv) {
  const auto& rows = csv.rows();
  if (rows.empty() || rows[0].blank() || rows[0].cells[0] != "LOCATION" ||
      rows[0].cells.size() < 10) {
    csv.fail(1, "an EPW file starts with a LOCATION line of 10 fields");
  }
  const auto tz = core::csvNumber(rows[0].cells[8]);
  if (!tz || std::abs(*tz) > 14) {
    csv.fail(rows[0].line, fmt::format("LOCATION: time zone '{}' is not hours from GMT (-12..14)",
                                       rows[0].cells[8]));
  }
  std::size_t first = 0;
  for (; first < rows.size(); ++first) {
    if (!rows[first].blank() && rows[first].cells[0] == "DATA PERIODS") break;
  }
  if (first == rows.size()) csv.fail("no DATA PERIODS line: not an EPW file");
  const auto& dp = rows[first].cells;
  if (dp.size() > 2 && dp[2] != "1") {
    csv.fail(rows[first].line,
             fmt::format("{} records per hour: only hourly EPW files are read", dp[2]));
  }
  std::vector<Row> out;
  for (std::size_t i = first + 1; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    Row row{{}, fmt::format("{}:{}", csv.name(), r.line)};
    if (r.blank()) {
      if (i + 1 == rows.size()) break;  // a final line end
      failAt(row, "a blank line inside the data");
    }
    if (r.cells.size() < 16) {
      failAt(row, fmt::format("{} fields where an EPW data line has 35", r.cells.size()));
    }
    const double y = requireNumber(row, r.cells[0], "year");
    const double mo = requireNumber(row, r.cells[1], "month");
    const double d = requireNumber(row, r.cells[2], "day");
    const double hr = requireNumber(row, r.cells[3], "hour");
    if (mo < 1 || mo > 12 || std::floor(mo) != mo || y < 1 || y > kMaxYear || std::floor(y) != y ||
        d < 1 || std::floor(d) != d ||
        d > daysInMonth(static_cast<int>(y), static_cast<unsigned>(mo)) || hr < 1 || hr > 24 ||
        std::floor(hr) != hr) {
      failAt(row, fmt::format("no such hour: {}-{}-{} hour {} (years 1..9999, hours 1..24)",
                              r.cells[0], r.cells[1], r.cells[2], r.cells[3]));
    }
    const long day =
        daysFromCivil(static_cast<int>(y), static_cast<unsigned>(mo), static_cast<unsigned>(d));
    // The hour's mean irradiance, stamped at the hour's middle, in UTC.
    row.sample.epoch =
        static_cast<double>(day) * kSecondsPerDay + (hr - 0.5) * 3600.0 - *tz * 3600.0;
    const double temp = requireNumber(row, r.cells[6], "dry bulb temperature");
    if (temp >= 99.9) failAt(row, "dry bulb temperature missing (99.9)");
    row.sample.tempAir_C = temp;
    auto radiation = [&](std::size_t c, const char* what) {
      const double v = requireNumber(row, r.cells[c], what);
      if (v >= 9999) failAt(row, fmt::format("{} missing (9999)", what));
      return v;  // Wh/m2 over one hour: the hour's mean W/m2
    };
    row.sample.ghi_Wm2 = radiation(13, "GHI");
    row.sample.dni_Wm2 = radiation(14, "DNI");
    row.sample.dhi_Wm2 = radiation(15, "DHI");
    out.push_back(std::move(row));
  }
  return checkedTrace(std::move(out), csv.name(), true);
}

// --- NSRDB / SAM CSV ------------------------------------------------------------------------

// NSRDB PSM downloads and SAM's weather CSV: line 1 names metadata fields (Source,
// Location ID, ..., Time Zone, ...), line 2 their values, line 3 the columns (Year, Month,
// Day, Hour, Minute, GHI, DNI, DHI, Temperature or Tdry, ...). Stamps are at `Time Zone`
// hours from UTC (0 for a UTC download). A file whose years go back (a TMY) is a typical
// year.
IrradianceTrace readNsrdb(const CsvFile& csv) {
  const auto& rows = csv.rows();
  if (rows.size() < 4) csv.fail("an NSRDB/SAM file has two metadata lines and a header");
  double tz = 0;
  bool haveTz = false;
  for (std::size_t i = 0; i < rows[0].cells.size(); ++i) {
    if (lower(rows[0].cells[i]) != "time zone") continue;
    const auto v =
        i < rows[1].cells.size() ? core::csvNumber(rows[1].cells[i]) : std::optional<double>{};
    if (!v || std::abs(*v) > 14) {
      csv.fail(rows[1].line, "Time Zone is not a number of hours from UTC (-12..14)");
    }
    tz = *v;
    haveTz = true;
  }
  if (!haveTz) csv.fail(rows[0].line, "no `Time Zone` metadata field (line 1)");
  const CsvRow& header = rows[2];
  int iy = -1, im = -1, id = -1, ih = -1, imin = -1, ighi = -1, idni = -1, idhi = -1, it = -1;
  for (int i = 0; i < static_cast<int>(header.cells.size()); ++i) {
    const std::string n = lower(header.cells[static_cast<std::size_t>(i)]);
    if (n == "year") iy = i;
    if (n == "month") im = i;
    if (n == "day") id = i;
    if (n == "hour") ih = i;
    if (n == "minute") imin = i;
    if (n == "ghi") ighi = i;
    if (n == "dni") idni = i;
    if (n == "dhi") idhi = i;
    if (n == "temperature" || n == "tdry") it = i;
  }
  if (iy < 0 || im < 0 || id < 0 || ih < 0 || ighi < 0) {
    csv.fail(header.line, "expected the columns Year, Month, Day, Hour, (Minute,) GHI");
  }
  std::vector<Row> out;
  bool yearsGoBack = false;
  double lastYear = 0;
  for (std::size_t i = 3; i < rows.size(); ++i) {
    const CsvRow& r = rows[i];
    Row row{{}, fmt::format("{}:{}", csv.name(), r.line)};
    if (r.blank()) {
      if (i + 1 == rows.size()) break;
      failAt(row, "a blank line inside the data");
    }
    if (r.cells.size() != header.cells.size()) {
      failAt(row, fmt::format("{} columns where the header (line {}) has {}", r.cells.size(),
                              header.line, header.cells.size()));
    }
    auto cell = [&](int c) { return r.cells[static_cast<std::size_t>(c)]; };
    const double y = requireNumber(row, cell(iy), "Year");
    const double mo = requireNumber(row, cell(im), "Month");
    const double d = requireNumber(row, cell(id), "Day");
    const double hr = requireNumber(row, cell(ih), "Hour");
    const double mi = imin >= 0 ? requireNumber(row, cell(imin), "Minute") : 0.0;
    if (y < 1 || y > kMaxYear || mo < 1 || mo > 12 || d < 1 ||
        d > daysInMonth(static_cast<int>(y), static_cast<unsigned>(mo)) || hr < 0 || hr > 23 ||
        mi < 0 || mi >= 60) {
      failAt(row, "no such instant (Year 1..9999, Month, Day, Hour 0..23, Minute 0..59)");
    }
    if (!out.empty() && y < lastYear) yearsGoBack = true;
    lastYear = y;
    row.sample.epoch =
        static_cast<double>(daysFromCivil(static_cast<int>(y), static_cast<unsigned>(mo),
                                          static_cast<unsigned>(d))) *
            kSecondsPerDay +
        hr * 3600.0 + mi * 60.0 - tz * 3600.0;
    row.sample.ghi_Wm2 = requireNumber(row, cell(ighi), "GHI");
    if (idni >= 0) row.sample.dni_Wm2 = requireNumber(row, cell(idni), "DNI");
    if (idhi >= 0) row.sample.dhi_Wm2 = requireNumber(row, cell(idhi), "DHI");
    if (it >= 0) row.sample.tempAir_C = requireNumber(row, cell(it), "Temperature");
    out.push_back(std::move(row));
  }
  return checkedTrace(std::move(out), csv.name(), yearsGoBack);
}

// --- PVGIS JSON -----------------------------------------------------------------------------

// PVGIS 5 API, `tmy` (outputs.tmy_hourly) or `seriescalc` (outputs.hourly) with
// outputformat=json: an array of objects {"time(UTC)" or "time": "YYYYMMDD:HHMM", "G(h)",
// "Gb(n)", "Gd(h)", "T2m", ...}.
IrradianceTrace readPvgisJson(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: cannot read", file.string()));
  if (size > kMaxJsonBytes) {
    throw std::runtime_error(fmt::format(
        "{}: {} bytes, more than the 64 MiB a weather file may have", file.string(), size));
  }
  std::ifstream in(file, std::ios::binary);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: not JSON: {}", file.string(), e.what()));
  }
  const char* key = nullptr;
  bool typical = false;
  if (j.contains("outputs") && j["outputs"].contains("tmy_hourly")) {
    key = "tmy_hourly";
    typical = true;
  } else if (j.contains("outputs") && j["outputs"].contains("hourly")) {
    key = "hourly";
  } else {
    throw std::runtime_error(fmt::format(
        "{}: no outputs.tmy_hourly or outputs.hourly: not a PVGIS tmy or seriescalc JSON",
        file.string()));
  }
  const auto& items = j["outputs"][key];
  if (!items.is_array()) {
    throw std::runtime_error(fmt::format("{}: outputs.{} is not an array", file.string(), key));
  }
  std::vector<Row> out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& o = items[i];
    Row row{{}, fmt::format("{}: outputs.{}[{}]", file.string(), key, i)};
    if (!o.is_object()) failAt(row, "not an object");
    const char* timeKey = o.contains("time(UTC)") ? "time(UTC)" : "time";
    if (!o.contains(timeKey) || !o[timeKey].is_string()) failAt(row, "no \"time(UTC)\" text");
    const auto t = parsePvgisTime(o[timeKey].get<std::string>());
    if (!t) {
      failAt(row, fmt::format("cannot read time '{}': expected YYYYMMDD:HHMM",
                              o[timeKey].get<std::string>()));
    }
    row.sample.epoch = *t;
    auto number = [&](const char* name, bool required) -> std::optional<double> {
      if (!o.contains(name)) {
        if (required) failAt(row, fmt::format("no \"{}\"", name));
        return std::nullopt;
      }
      if (!o[name].is_number()) failAt(row, fmt::format("\"{}\" is not a number", name));
      return o[name].get<double>();
    };
    row.sample.ghi_Wm2 = *number("G(h)", true);
    row.sample.dni_Wm2 = number("Gb(n)", false);
    row.sample.dhi_Wm2 = number("Gd(h)", false);
    row.sample.tempAir_C = number("T2m", false);
    out.push_back(std::move(row));
  }
  return checkedTrace(std::move(out), file.string(), typical);
}

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && lower(s.substr(s.size() - tail.size())) == tail;
}

}  // namespace

std::optional<double> parsePvgisTime(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  char tail = 0;
  const std::string s(text);
  if (s.size() != 13 ||
      std::sscanf(s.c_str(), "%4d%2d%2d:%2d%2d%c", &y, &mo, &d, &h, &mi, &tail) != 5 || mo < 1 ||
      mo > 12 || d < 1 || static_cast<unsigned>(d) > daysInMonth(y, static_cast<unsigned>(mo)) ||
      h < 0 || h > 23 || mi < 0 || mi > 59) {
    return std::nullopt;
  }
  return static_cast<double>(
             daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) *
             kSecondsPerDay +
         h * 3600.0 + mi * 60.0;
}

std::optional<double> parseIsoInstant(std::string_view text) {
  // YYYY-MM-DD[T ]HH:MM[:SS] then Z, +HH:MM, +HHMM or +HH (or -).
  const std::string s(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
  char sep = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &n) != 6 ||
      n != 16 || (sep != 'T' && sep != ' ')) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    int m = 0;
    if (std::sscanf(s.c_str() + pos, ":%2d%n", &sec, &m) != 1 || m != 3) return std::nullopt;
    pos += 3;
  }
  if (mo < 1 || mo > 12 || d < 1 ||
      static_cast<unsigned>(d) > daysInMonth(y, static_cast<unsigned>(mo)) || h < 0 || h > 23 ||
      mi < 0 || mi > 59 || sec < 0 || sec > 59) {
    return std::nullopt;
  }
  double offset_s = 0;
  const std::string zone = s.substr(pos);
  if (zone == "Z") {
    offset_s = 0;
  } else if (!zone.empty() && (zone[0] == '+' || zone[0] == '-')) {
    int zh = 0, zm = 0;
    const std::string z = zone.substr(1);
    bool ok = false;
    if (z.size() == 5 && z[2] == ':') {
      ok = std::isdigit(static_cast<unsigned char>(z[0])) &&
           std::isdigit(static_cast<unsigned char>(z[1])) &&
           std::isdigit(static_cast<unsigned char>(z[3])) &&
           std::isdigit(static_cast<unsigned char>(z[4]));
      zh = std::atoi(z.substr(0, 2).c_str());
      zm = std::atoi(z.substr(3, 2).c_str());
    } else if (z.size() == 4 || z.size() == 2) {
      ok = std::all_of(z.begin(), z.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
      zh = std::atoi(z.substr(0, 2).c_str());
      zm = z.size() == 4 ? std::atoi(z.substr(2, 2).c_str()) : 0;
    }
    if (!ok || zh > 14 || zm > 59) return std::nullopt;
    offset_s = (zone[0] == '+' ? 1 : -1) * (zh * 3600.0 + zm * 60.0);
  } else {
    return std::nullopt;  // no zone: a local time of unknown offset
  }
  return static_cast<double>(
             daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d))) *
             kSecondsPerDay +
         h * 3600.0 + mi * 60.0 + sec - offset_s;
}

IrradianceTrace readWeatherFile(const fs::path& file) {
  const std::string name = file.string();
  if (endsWith(name, ".json")) return readPvgisJson(file);
  const CsvFile csv = CsvFile::read(file);
  const auto& rows = csv.rows();
  if (endsWith(name, ".epw") ||
      (!rows.empty() && !rows[0].blank() && rows[0].cells[0] == "LOCATION")) {
    return readEpw(csv);
  }
  if (!rows.empty() && !rows[0].blank() && lower(rows[0].cells[0]) == "source" && rows.size() > 2 &&
      !rows[2].blank() && lower(rows[2].cells[0]) == "year") {
    return readNsrdb(csv);
  }
  return readCsvTrace(csv);
}

}  // namespace ej::solar
