// Quantity parsing: a table of unit symbols built once from base units and SI prefixes.
#include "sim/core/quantity.h"

#include <boost/math/constants/constants.hpp>
#include <cmath>
#include <cstdlib>
#include <map>

namespace ej::core {
namespace {

struct UnitDef {
  double factor;  // multiply to reach the SI unit of the dimension
  double offset;  // added after scaling (only degC)
  Dimension dimension;
};

std::map<std::string, UnitDef, std::less<>> buildUnitTable() {
  std::map<std::string, UnitDef, std::less<>> table;
  const std::pair<const char*, double> prefixes[] = {{"", 1.0},   {"p", 1e-12},       {"n", 1e-9},
                                                     {"u", 1e-6}, {"\xC2\xB5", 1e-6}, {"m", 1e-3},
                                                     {"k", 1e3},  {"M", 1e6},         {"G", 1e9}};
  const struct {
    const char* symbol;
    double factor;
    Dimension dimension;
  } prefixable[] = {
      {"A", 1.0, Dimension::Current},
      {"V", 1.0, Dimension::Voltage},
      {"Ohm", 1.0, Dimension::Resistance},
      {"\xCE\xA9", 1.0, Dimension::Resistance},
      {"Ah", 3600.0, Dimension::Charge},
      {"C", 1.0, Dimension::Charge},
      {"Wh", 3600.0, Dimension::Energy},
      {"J", 1.0, Dimension::Energy},
      {"W", 1.0, Dimension::Power},
      {"s", 1.0, Dimension::Time},
      {"Hz", 1.0, Dimension::Frequency},
      {"m", 1.0, Dimension::Length},
      {"W/m2", 1.0, Dimension::Irradiance},
      {"W/m\xC2\xB2", 1.0, Dimension::Irradiance},
      {"Wh/m2", 3600.0, Dimension::InsolationPerArea},
      {"Wh/m\xC2\xB2", 3600.0, Dimension::InsolationPerArea},
      {"J/m2", 1.0, Dimension::InsolationPerArea},
      {"J/m\xC2\xB2", 1.0, Dimension::InsolationPerArea},
  };
  for (const auto& base : prefixable) {
    for (const auto& [prefix, scale] : prefixes) {
      table.emplace(std::string(prefix) + base.symbol,
                    UnitDef{scale * base.factor, 0.0, base.dimension});
    }
  }
  const double degree = boost::math::constants::pi<double>() / 180.0;
  const std::pair<const char*, UnitDef> plain[] = {
      {"min", {60.0, 0.0, Dimension::Time}},
      {"h", {3600.0, 0.0, Dimension::Time}},
      {"d", {86400.0, 0.0, Dimension::Time}},
      {"y", {365.0 * 86400.0, 0.0, Dimension::Time}},
      {"/s", {1.0, 0.0, Dimension::Frequency}},
      {"/min", {1.0 / 60.0, 0.0, Dimension::Frequency}},
      {"/h", {1.0 / 3600.0, 0.0, Dimension::Frequency}},
      {"/d", {1.0 / 86400.0, 0.0, Dimension::Frequency}},
      {"%", {0.01, 0.0, Dimension::Ratio}},
      {"deg", {degree, 0.0, Dimension::Angle}},
      {"\xC2\xB0", {degree, 0.0, Dimension::Angle}},
      {"rad", {1.0, 0.0, Dimension::Angle}},
      {"K", {1.0, 0.0, Dimension::Temperature}},
      {"degC", {1.0, 273.15, Dimension::Temperature}},
      {"\xC2\xB0"
       "C",
       {1.0, 273.15, Dimension::Temperature}},
      {"dBm", {1.0, 0.0, Dimension::PowerLevel}},
      {"cm", {1e-2, 0.0, Dimension::Length}},
      {"cm2", {1e-4, 0.0, Dimension::Area}},
      {"cm\xC2\xB2", {1e-4, 0.0, Dimension::Area}},
      {"mm2", {1e-6, 0.0, Dimension::Area}},
      {"mm\xC2\xB2", {1e-6, 0.0, Dimension::Area}},
      {"m2", {1.0, 0.0, Dimension::Area}},
      {"m\xC2\xB2", {1.0, 0.0, Dimension::Area}},
  };
  for (const auto& [symbol, def] : plain) table.insert_or_assign(symbol, def);
  return table;
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

}  // namespace

std::optional<ParsedQuantity> parseQuantity(std::string_view text) {
  static const auto kUnits = buildUnitTable();
  text = trim(text);
  if (text.empty()) return std::nullopt;
  const std::string owned(text);
  char* end = nullptr;
  const double number = std::strtod(owned.c_str(), &end);
  if (end == owned.c_str()) return std::nullopt;
  const std::string_view unit = trim(std::string_view(end));
  // strtod accepts "nan" and "inf"; a finite check is the caller's range check.
  if (unit.empty()) return ParsedQuantity{number, Dimension::Ratio};
  const auto it = kUnits.find(unit);
  if (it == kUnits.end()) return std::nullopt;
  return ParsedQuantity{number * it->second.factor + it->second.offset, it->second.dimension};
}

std::vector<std::string> unitSymbols(Dimension dimension) {
  static const auto kUnits = buildUnitTable();
  std::vector<std::string> result;
  for (const auto& [symbol, def] : kUnits) {
    if (def.dimension == dimension) result.push_back(symbol);
  }
  return result;
}

std::string siUnit(Dimension dimension) {
  switch (dimension) {
    case Dimension::Ratio:
      return "";
    case Dimension::Current:
      return "A";
    case Dimension::Voltage:
      return "V";
    case Dimension::Resistance:
      return "Ohm";
    case Dimension::Charge:
      return "C";
    case Dimension::Energy:
      return "J";
    case Dimension::Power:
      return "W";
    case Dimension::Time:
      return "s";
    case Dimension::Frequency:
      return "Hz";
    case Dimension::Angle:
      return "rad";
    case Dimension::Temperature:
      return "K";
    case Dimension::Length:
      return "m";
    case Dimension::Area:
      return "m2";
    case Dimension::Irradiance:
      return "W/m2";
    case Dimension::InsolationPerArea:
      return "J/m2";
    case Dimension::PowerLevel:
      return "dBm";
  }
  return "";
}

std::string describe(Dimension dimension) {
  switch (dimension) {
    case Dimension::Ratio:
      return "a plain number or percentage (e.g. 0.9 or 90 %)";
    case Dimension::Current:
      return "a current (e.g. 120 mA)";
    case Dimension::Voltage:
      return "a voltage (e.g. 3.7 V)";
    case Dimension::Resistance:
      return "a resistance (e.g. 150 mOhm)";
    case Dimension::Charge:
      return "a charge (e.g. 2000 mAh)";
    case Dimension::Energy:
      return "an energy (e.g. 7.4 Wh or 12 mJ)";
    case Dimension::Power:
      return "a power (e.g. 50 mW)";
    case Dimension::Time:
      return "a duration (e.g. 2 h)";
    case Dimension::Frequency:
      return "a frequency or rate (e.g. 64 MHz or 12 /h)";
    case Dimension::Angle:
      return "an angle (e.g. 30 deg)";
    case Dimension::Temperature:
      return "a temperature (e.g. 25 degC)";
    case Dimension::Length:
      return "a length (e.g. 12 cm)";
    case Dimension::Area:
      return "an area (e.g. 100 cm2)";
    case Dimension::Irradiance:
      return "an irradiance (e.g. 1000 W/m2)";
    case Dimension::InsolationPerArea:
      return "an insolation (e.g. 5 kWh/m2)";
    case Dimension::PowerLevel:
      return "a power level (e.g. 14 dBm)";
  }
  return "a quantity";
}

}  // namespace ej::core
