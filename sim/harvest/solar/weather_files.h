// Readers of the weather files users already have, each giving an IrradianceTrace:
//   EPW          EnergyPlus weather (`.epw`): the LOCATION line's time zone, hourly rows of
//                Wh/m2 over the hour before the stamp (taken at the hour's middle)
//   PVGIS JSON   the `tmy` tool's JSON (`outputs.tmy_hourly`) or `seriescalc`'s
//                (`outputs.hourly`), stamps "YYYYMMDD:HHMM" in UTC
//   PVGIS CSV    the same tools' CSV exports (preamble, header, rows, footer)
//   NSRDB / SAM  two metadata lines (with `Time Zone`), then Year,Month,Day,Hour,Minute,
//                GHI, DNI, DHI, Temperature (or Tdry) columns
//   plain CSV    a header naming a time column (ISO 8601 with Z or an offset, e.g.
//                2026-06-21T10:00+02:00) and a GHI column; DNI, DHI, air temperature
//                optional
// Every row is checked (sorted without repeats, no gap over 1.5 steps, GHI/DNI/DHI within
// 0..1500 W/m2, air temperature within -60..60 degC, every cell of a present column
// given); a bad row is a std::runtime_error "FILE:LINE: what is wrong" (JSON: "FILE:
// outputs.tmy_hourly[I]: ...").
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "sim/harvest/solar/weather.h"

namespace ej::solar {

// Limits of a row's values (the checks above).
inline constexpr double kMaxIrradiance_Wm2 = 1500.0;
inline constexpr double kMinAirTemperature_C = -60.0;
inline constexpr double kMaxAirTemperature_C = 60.0;

// The file's format from its name and first bytes, read with the matching reader.
IrradianceTrace readWeatherFile(const std::filesystem::path& file);

// An ISO 8601 instant with its zone: "2026-06-21T10:00Z", "2026-06-21T10:00:30+02:00",
// "2026-06-21 10:00-0500", "...+01"; seconds since the epoch. None without a zone (a
// local time of unknown zone) or when malformed.
std::optional<double> parseIsoInstant(std::string_view text);
// PVGIS's "YYYYMMDD:HHMM" (UTC).
std::optional<double> parsePvgisTime(std::string_view text);

}  // namespace ej::solar
