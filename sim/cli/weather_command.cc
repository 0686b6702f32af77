// `edgejoule weather fetch`: a typical meteorological year for a site from PVGIS's public
// API, kept with its source and date (sim/harvest/solar/weather_fetch.h); `edgejoule
// weather check FILE`: reads a weather file as a scenario would and says what it holds.
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "sim/cli/command.h"
#include "sim/core/calendar.h"
#include "sim/core/quantity.h"
#include "sim/harvest/solar/weather_fetch.h"
#include "sim/harvest/solar/weather_files.h"

namespace ej::cli {
namespace {

struct WeatherOptions {
  std::string lat, lon, source = "pvgis", out, file;
};

double parseDegrees(const std::string& option, const std::string& text) {
  std::string t = text;
  if (t.size() > 3 && t.compare(t.size() - 3, 3, "deg") == 0) t = t.substr(0, t.size() - 3);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  while (end && *end == ' ') ++end;
  if (t.empty() || !end || *end != '\0' || !std::isfinite(v)) {
    throw UsageError(fmt::format("{}: expected degrees (e.g. 45.65), got '{}'", option, text));
  }
  return v;
}

int fetch(const WeatherOptions& o) {
  if (o.source != "pvgis") {
    throw UsageError(fmt::format("--source: only `pvgis` is known, got '{}'", o.source));
  }
  const double lat = parseDegrees("--lat", o.lat);
  const double lon = parseDegrees("--lon", o.lon);
  if (std::abs(lat) > 90) throw UsageError("--lat: must lie within +-90 deg");
  if (std::abs(lon) > 180) throw UsageError("--lon: must lie within +-180 deg");
  const std::string out =
      o.out.empty() ? fmt::format("pvgis_tmy_{:.3f}_{:.3f}.json", lat, lon) : o.out;
  if (std::filesystem::exists(out)) {
    throw UsageError(fmt::format("{}: exists; not overwritten (give another --out)", out));
  }
  const auto r = solar::fetchPvgisTmy(lat, lon, out);
  std::cout << fmt::format("{}: {} hours of PVGIS's typical year, from {} at {}\n", r.file.string(),
                           r.hours, r.url, r.fetchedUtc);
  return 0;
}

int check(const WeatherOptions& o) {
  solar::IrradianceTrace trace;
  try {
    trace = solar::readWeatherFile(o.file);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  const auto& s = trace.samples();
  std::cout << fmt::format("{}: {} rows, {} to {}, step {:g} min{}\n", o.file, s.size(),
                           core::formatUtc(s.front().epoch), core::formatUtc(s.back().epoch),
                           trace.step_s() / 60.0,
                           trace.typical() ? ", a typical year (typical_year: true)" : "");
  return 0;
}

constexpr CommandInfo kWeatherCommand{"weather",
                                      "Weather files: fetch a typical year, check a file"};
const CommandRegistrar registrar(kWeatherCommand, [](CLI::App* cmd, int& status) {
  auto opts = std::make_shared<WeatherOptions>();
  cmd->require_subcommand(1);
  auto* f = cmd->add_subcommand(
      "fetch", "Download a typical meteorological year from PVGIS (needs the internet)");
  f->add_option("--lat", opts->lat, "latitude, north positive (e.g. 45.65)")->required();
  f->add_option("--lon", opts->lon, "longitude, east positive (e.g. 13.78)")->required();
  f->add_option("--source", opts->source, "where from: pvgis (default)");
  f->add_option("--out", opts->out,
                "file to write (default pvgis_tmy_LAT_LON.json); never "
                "overwritten");
  f->callback([opts, &status] { status = fetch(*opts); });
  auto* c = cmd->add_subcommand("check",
                                "Read a weather file (EPW, PVGIS, NSRDB, CSV) and "
                                "report its span, or its first bad row");
  c->add_option("file", opts->file, "the weather file")->required();
  c->callback([opts, &status] { status = check(*opts); });
});

}  // namespace
}  // namespace ej::cli
