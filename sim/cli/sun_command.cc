// `edgejoule sun`: the sun's position, clear-sky and plane-of-array irradiance at a UTC
// instant, or sunrise, sunset and daily insolation of a UTC day (NOAA equations, Haurwitz
// clear sky, Erbs decomposition, isotropic transposition; see sim/harvest/solar/README.md).
#include <fmt/format.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/cli/command.h"
#include "sim/core/calendar.h"
#include "sim/core/quantity.h"
#include "sim/harvest/solar/irradiance.h"
#include "sim/harvest/solar/solar_position.h"
#include "sim/harvest/solar/weather.h"

namespace ej::cli {
namespace {

constexpr double kDegree = M_PI / 180.0;

struct SunOptions {
  std::string lat, lon, time, day, tilt = "0 deg", azimuth = "180 deg", albedo = "0.2";
  bool json = false;
};

// An angle given as "45.65", "45.65 deg", "45.65deg" or "0.8 rad"; a bare number is degrees.
Angle parseAngle(const std::string& option, const std::string& text) {
  std::string t = text;
  for (const char* unit : {"deg", "rad"}) {
    const auto pos = t.rfind(unit);
    if (pos != std::string::npos && pos > 0 && t[pos - 1] != ' ' && pos + 3 == t.size()) {
      t.insert(pos, " ");
    }
  }
  const auto q = core::parseQuantity(t);
  if (q && q->dimension == core::Dimension::Ratio) return q->value * kDegree * si::radians;
  if (q && q->dimension == core::Dimension::Angle) return q->value * si::radians;
  throw UsageError(
      fmt::format("{}: expected an angle (e.g. 45.65 or 30deg), got '{}'", option, text));
}

double inDeg(Angle a) { return a.value() / kDegree; }

int run(const SunOptions& o) {
  if (o.time.empty() && o.day.empty()) throw UsageError("sun: give --time or --day");
  solar::Site site{parseAngle("--lat", o.lat), parseAngle("--lon", o.lon)};
  if (std::abs(inDeg(site.latitude)) > 90) throw UsageError("--lat: must lie within +-90 deg");
  if (std::abs(inDeg(site.longitude)) > 180) {
    throw UsageError("--lon: must lie within +-180 deg");
  }
  solar::PanelOrientation panel;
  panel.tilt = parseAngle("--tilt", o.tilt);
  panel.azimuth = parseAngle("--azimuth", o.azimuth);
  if (inDeg(panel.tilt) < 0 || inDeg(panel.tilt) > 90) {
    throw UsageError("--tilt: must lie between 0 and 90 deg");
  }
  const auto albedo = core::parseQuantity(o.albedo);
  if (!albedo || albedo->dimension != core::Dimension::Ratio || albedo->value < 0 ||
      albedo->value > 1) {
    throw UsageError(fmt::format("--albedo: expected a fraction (e.g. 0.2), got '{}'", o.albedo));
  }
  panel.albedo = ratio(albedo->value);
  const solar::Sky sky(site, solar::WeatherParams{});

  nlohmann::json j;
  j["latitude_deg"] = inDeg(site.latitude);
  j["longitude_deg"] = inDeg(site.longitude);
  j["tilt_deg"] = inDeg(panel.tilt);
  j["azimuth_deg"] = inDeg(panel.azimuth);
  j["albedo"] = panel.albedo.value();
  std::string human = fmt::format(
      "site {:.4f} deg N, {:.4f} deg E; panel tilt {:.1f} deg, "
      "azimuth {:.1f} deg, albedo {:.2f}\n",
      inDeg(site.latitude), inDeg(site.longitude), inDeg(panel.tilt), inDeg(panel.azimuth),
      panel.albedo.value());
  if (!o.time.empty()) {
    const auto t = core::parseUtcTimestamp(o.time);
    if (!t)
      throw UsageError(fmt::format("--time: expected YYYY-MM-DDTHH:MM[:SS]Z, got '{}'", o.time));
    const auto st = sky.at(*t);
    const auto poa = solar::transpose(st.irradiance, st.sun, panel);
    j["time"] = core::formatUtc(*t);
    j["zenith_deg"] = inDeg(st.sun.zenith);
    j["elevation_deg"] = inDeg(st.sun.elevation);
    j["azimuth_sun_deg"] = inDeg(st.sun.azimuth);
    j["declination_deg"] = inDeg(st.sun.declination);
    j["equation_of_time_min"] = st.sun.equationOfTime_min;
    j["clear_sky_ghi_Wm2"] = st.irradiance.ghi.value();
    j["clear_sky_dni_Wm2"] = st.irradiance.dni.value();
    j["clear_sky_dhi_Wm2"] = st.irradiance.dhi.value();
    j["poa_Wm2"] = poa.total.value();
    j["poa_beam_Wm2"] = poa.beam.value();
    j["poa_sky_diffuse_Wm2"] = poa.skyDiffuse.value();
    j["poa_ground_reflected_Wm2"] = poa.groundReflected.value();
    j["incidence_deg"] = inDeg(poa.incidence);
    human += fmt::format(
        "{}\n"
        "  zenith          {:8.3f} deg (apparent, refraction corrected)\n"
        "  elevation       {:8.3f} deg\n"
        "  azimuth         {:8.3f} deg (clockwise from north)\n"
        "  declination     {:8.3f} deg, equation of time {:.2f} min\n"
        "  clear-sky GHI   {:8.1f} W/m2 (Haurwitz); DNI {:.1f}, DHI {:.1f} W/m2 (Erbs)\n"
        "  plane of array  {:8.1f} W/m2 (beam {:.1f}, sky {:.1f}, ground {:.1f}; "
        "incidence {:.1f} deg)\n",
        core::formatUtc(*t), inDeg(st.sun.zenith), inDeg(st.sun.elevation), inDeg(st.sun.azimuth),
        inDeg(st.sun.declination), st.sun.equationOfTime_min, st.irradiance.ghi.value(),
        st.irradiance.dni.value(), st.irradiance.dhi.value(), poa.total.value(), poa.beam.value(),
        poa.skyDiffuse.value(), poa.groundReflected.value(), inDeg(poa.incidence));
  }
  if (!o.day.empty()) {
    const auto d = core::parseUtcTimestamp(o.day);
    if (!d || std::fmod(*d, kSecondsPerDay) != 0) {
      throw UsageError(fmt::format("--day: expected YYYY-MM-DD, got '{}'", o.day));
    }
    const auto day = solar::sunDay(site, *d);
    const auto ins = solar::dailyInsolation(sky, *d, panel);
    auto when = [](const std::optional<double>& e) -> nlohmann::json {
      return e ? nlohmann::json(core::formatUtc(std::round(*e))) : nlohmann::json(nullptr);
    };
    j["day"] = core::formatUtcDate(*d);
    j["sunrise"] = when(day.sunrise_epoch);
    j["sunset"] = when(day.sunset_epoch);
    j["solar_noon"] = core::formatUtc(std::round(day.solarNoon_epoch));
    j["solar_noon_elevation_deg"] = inDeg(day.noonElevation);
    j["polar_day"] = day.polarDay;
    double length_h = day.polarDay ? 24.0 : 0.0;
    if (day.sunrise_epoch && day.sunset_epoch) {
      length_h = (*day.sunset_epoch - *day.sunrise_epoch) / 3600.0;
    }
    j["day_length_h"] = length_h;
    j["clear_sky_ghi_Whm2"] = ins.ghi_Whm2;
    j["clear_sky_poa_Whm2"] = ins.poa_Whm2;
    auto text = [](const std::optional<double>& e, const char* none) {
      return e ? core::formatUtc(std::round(*e)) : std::string(none);
    };
    const char* none = day.polarDay ? "none (polar day)" : "none (polar night)";
    human += fmt::format(
        "{} (UTC)\n"
        "  sunrise         {}\n"
        "  solar noon      {}, elevation {:.3f} deg\n"
        "  sunset          {}\n"
        "  day length      {:.3f} h\n"
        "  clear-sky insolation: horizontal {:.0f} Wh/m2, plane of array {:.0f} Wh/m2\n",
        core::formatUtcDate(*d), text(day.sunrise_epoch, none),
        core::formatUtc(std::round(day.solarNoon_epoch)), inDeg(day.noonElevation),
        text(day.sunset_epoch, none), length_h, ins.ghi_Whm2, ins.poa_Whm2);
  }
  if (o.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << human;
  }
  return 0;
}

constexpr CommandInfo kSunCommand{
    "sun", "Sun position, clear-sky and plane-of-array irradiance, sunrise and sunset"};
const CommandRegistrar registrar(kSunCommand, [](CLI::App* cmd, int& status) {
  auto opts = std::make_shared<SunOptions>();
  cmd->add_option("--lat", opts->lat, "latitude, north positive (e.g. 45.65 or 45.65deg)")
      ->required()
      ->allow_extra_args(false);
  cmd->add_option("--lon", opts->lon, "longitude, east positive (e.g. 13.78)")->required();
  cmd->add_option("--time", opts->time, "UTC instant, YYYY-MM-DDTHH:MM[:SS]Z");
  cmd->add_option("--day", opts->day, "UTC day YYYY-MM-DD: sunrise, sunset, insolation");
  cmd->add_option("--tilt", opts->tilt, "panel tilt from horizontal (default 0deg)");
  cmd->add_option("--azimuth", opts->azimuth,
                  "panel azimuth clockwise from north (default 180deg, south)");
  cmd->add_option("--albedo", opts->albedo, "ground albedo (default 0.2)");
  cmd->add_flag("--json", opts->json, "machine-readable output");
  cmd->callback([opts, &status] { status = run(*opts); });
});

}  // namespace
}  // namespace ej::cli
