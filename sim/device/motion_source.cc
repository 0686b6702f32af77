// Motion sources for the PIR sensor.
#include "sim/device/motion_source.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "sim/core/bounds.h"
#include "sim/core/calendar.h"
#include "sim/core/csv.h"

namespace ej::device {

DailyMotion::DailyMotion(std::vector<Time> timesOfDay, Time phase) {
  for (const Time& t : timesOfDay) {
    double offset = std::fmod(in_s(t) - in_s(phase), kSecondsPerDay);
    if (offset < 0) offset += kSecondsPerDay;
    m_offsets.push_back(seconds(offset));
  }
  std::sort(m_offsets.begin(), m_offsets.end());
}

std::optional<Time> DailyMotion::next() {
  if (m_offsets.empty()) return std::nullopt;
  const Time t = days(m_day) + m_offsets[m_index];
  if (++m_index == m_offsets.size()) {
    m_index = 0;
    m_day += 1;
  }
  return t;
}

PoissonMotion::PoissonMotion(Frequency rate, std::uint64_t seed)
    : m_random(seed), m_gap_s(in_Hz(rate)) {}

std::optional<Time> PoissonMotion::next() {
  m_last += seconds(m_gap_s(m_random));
  return m_last;
}

TraceMotion::TraceMotion(const std::filesystem::path& path, double startEpochSeconds) {
  // Named in errors as the user would type it: relative to the working folder when inside it.
  std::filesystem::path csv = path.lexically_proximate(std::filesystem::current_path());
  if (!csv.empty() && *csv.begin() == "..") csv = path;
  core::CsvFile file;
  try {
    file = core::CsvFile::read(csv);
  } catch (const core::CsvError& e) {
    throw core::ConfigError(e.what());
  }
  const auto& rows = file.rows();
  const bool utc = !rows.empty() && rows[0].cells.size() == 1 && rows[0].cells[0] == "time_utc";
  if (!utc && !(!rows.empty() && rows[0].cells.size() == 1 && rows[0].cells[0] == "time_s")) {
    throw core::ConfigError(
        fmt::format("{}:1:1: expected the header `time_s` or `time_utc`", csv.string()));
  }
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (row.blank()) continue;
    const std::string line = row.cells.size() == 1 ? row.cells[0] : std::string();
    std::optional<double> t;
    if (utc) {
      if (auto epoch = core::parseUtcTimestamp(line)) t = *epoch - startEpochSeconds;
    } else {
      const auto q = core::parseQuantity(line);
      if (q && q->dimension == core::Dimension::Ratio) t = q->value;
    }
    if (!t || !std::isfinite(*t) || *t < 0 || *t > core::kMaxHorizonSeconds) {
      throw core::ConfigError(
          fmt::format("{}:{}:1: '{}' is not a {} at or after the run's start", csv.string(),
                      row.line, fmt::join(row.cells, ","),
                      utc ? "UTC timestamp (2026-01-01T08:00:00Z)" : "number of seconds") +
          " (within the longest horizon, 500 years)");
    }
    if (!m_times.empty() && seconds(*t) < m_times.back()) {
      throw core::ConfigError(
          fmt::format("{}:{}:1: timestamps must be in ascending order", csv.string(), row.line));
    }
    m_times.push_back(seconds(*t));
  }
}

std::optional<Time> TraceMotion::next() {
  if (m_index == m_times.size()) return std::nullopt;
  return m_times[m_index++];
}

std::unique_ptr<MotionSource> createMotionSource(const core::Config& motion,
                                                 double startEpochSeconds) {
  const int kinds = motion.has("daily") + motion.has("poisson") + motion.has("trace");
  if (kinds != 1) motion.fail("", "give exactly one of `daily`, `poisson` or `trace`");
  const Time phase = seconds(std::fmod(startEpochSeconds, kSecondsPerDay));
  if (motion.has("daily")) {
    std::vector<Time> times;
    for (const auto& text : motion.texts("daily")) {
      const auto t = core::parseTimeOfDay(text);
      if (!t) motion.fail("daily", fmt::format("'{}' is not a UTC time of day (HH:MM)", text));
      times.push_back(*t);
    }
    return std::make_unique<DailyMotion>(std::move(times), phase);
  }
  if (motion.has("poisson")) {
    const auto poisson = motion.child("poisson");
    const auto rate = poisson.quantity<Frequency>("rate", core::Range::Positive);
    const auto seed = poisson.integer("seed", 1, 0, std::numeric_limits<long>::max());
    return std::make_unique<PoissonMotion>(rate, static_cast<std::uint64_t>(seed));
  }
  // The trace's own problem (FILE:LINE: ...) after the key that names it, like the weather
  // file's: the scenario's line is where the user looks first.
  const auto trace = motion.existingFile("trace");
  try {
    return std::make_unique<TraceMotion>(trace, startEpochSeconds);
  } catch (const core::ConfigError& e) {
    motion.fail("trace", e.what());
  }
}

}  // namespace ej::device
