// libFuzzer target `csv`: every CSV reader, on the same input. The input is a file's text,
// given to the CSV parser itself (core::CsvFile), to the PIR's motion trace reader
// (device::TraceMotion, `trace:`) and to the weather file reader (solar::readWeatherFile:
// plain CSV, PVGIS CSV, NSRDB/SAM and, by their first bytes, EPW; and PVGIS JSON when the
// input starts with `{`). A trace that reads is then sampled as the solar harvester
// samples it. The readers' refusals (CsvError, ConfigError, std::runtime_error "FILE:LINE:
// ...") are expected; any other exception, a crash, a sanitizer report or a hang is a
// finding.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "sim/core/config.h"
#include "sim/core/csv.h"
#include "sim/device/motion_source.h"
#include "sim/harvest/solar/weather_files.h"
#include "tests/fuzz/fuzz_scratch.h"

namespace {

// 2026-01-01T00:00:00Z, the loader's default start.
constexpr double kStartEpoch = 1767225600.0;

void readWeather(const std::filesystem::path& file) {
  try {
    const auto trace = ej::solar::readWeatherFile(file);
    const auto& samples = trace.samples();
    const double first = samples.front().epoch, last = samples.back().epoch;
    for (const double t : {first, (first + last) / 2, last, last + trace.step_s()}) {
      (void)trace.at(t, false);
      (void)trace.at(t, true);
    }
    trace.checkCovers(first, last, trace.typical());
  } catch (const std::runtime_error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = ej::fuzz::asText(data, size);
  for (const char delimiter : {',', ';'}) {
    try {
      ej::core::CsvOptions options;
      options.delimiter = delimiter;
      (void)ej::core::CsvFile::parse(text, "fuzz.csv", options);
    } catch (const ej::core::CsvError&) {
    }
  }
  const auto csv = ej::fuzz::writeScratch("trace.csv", text);
  try {
    ej::device::TraceMotion motion(csv, kStartEpoch);
    for (std::size_t i = 0; i <= motion.size(); ++i) (void)motion.next();
  } catch (const ej::core::ConfigError&) {
  }
  readWeather(csv);
  const auto start = text.find_first_not_of(" \t\r\n");
  if (start != std::string_view::npos && text[start] == '{')
    readWeather(ej::fuzz::writeScratch("weather.json", text));
  return 0;
}
