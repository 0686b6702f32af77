// libFuzzer target `quantity`: the text parsers every input goes through. The whole input is
// one value, given to each parser: quantities with units (core::parseQuantity), the
// scenario's `start:` timestamp (core::parseUtcTimestamp), clock times (parseTimeOfDay), the
// weather files' ISO 8601 and PVGIS stamps, CSV numbers and --set assignments. Besides
// crashes and sanitizer reports, it checks what the parsers promise: a timestamp read is
// printed back to the same instant, a clock time lies within a day, a CSV number is finite,
// and a time of any size converts to the kernel's clock without wrapping.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/core/calendar.h"
#include "sim/core/config.h"
#include "sim/core/csv.h"
#include "sim/core/quantity.h"
#include "sim/core/sim_time.h"
#include "sim/harvest/solar/weather_files.h"
#include "tests/fuzz/fuzz_scratch.h"

namespace {

[[noreturn]] void broken(const char* promise, const std::string& text) {
  std::fprintf(stderr, "broken promise: %s for input '%s'\n", promise, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(ej::fuzz::asText(data, size));
  if (const auto q = ej::core::parseQuantity(text)) {
    (void)ej::core::describe(q->dimension);
    (void)ej::core::siUnit(q->dimension);
    if (q->dimension == ej::core::Dimension::Time) {
      const auto t = ej::core::toScTime(ej::seconds(q->value));
      if (q->value > 0 && q->value < 1e9 && t == sc_core::sc_max_time())
        broken("a time below 10^9 s converts below the clock's end", text);
    }
  }
  if (const auto t = ej::core::parseUtcTimestamp(text)) {
    if (!std::isfinite(*t)) broken("a timestamp is finite", text);
    const std::string printed = ej::core::formatUtc(*t);
    if (ej::core::parseUtcTimestamp(printed) != t)
      broken("a timestamp printed back reads as the same instant", text);
  }
  if (const auto t = ej::core::parseTimeOfDay(text)) {
    if (!(ej::in_s(*t) >= 0 && ej::in_s(*t) <= ej::kSecondsPerDay))
      broken("a clock time lies within 00:00..24:00", text);
  }
  if (const auto t = ej::solar::parseIsoInstant(text)) {
    if (!std::isfinite(*t)) broken("an ISO 8601 instant is finite", text);
  }
  if (const auto t = ej::solar::parsePvgisTime(text)) {
    if (!std::isfinite(*t)) broken("a PVGIS stamp is finite", text);
  }
  if (const auto v = ej::core::csvNumber(text)) {
    if (!std::isfinite(*v)) broken("a CSV number is finite", text);
  }
  try {
    (void)ej::core::parseOverride(text);
  } catch (const ej::core::ConfigError&) {
  }
  return 0;
}
