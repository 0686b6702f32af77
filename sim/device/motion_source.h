// Where a PIR sensor's motion comes from: clock times every day, a Poisson process, or a
// CSV trace of timestamps. Plain C++; the PirSensor module asks for one instant at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "sim/core/config.h"

namespace ej::device {

class MotionSource {
 public:
  virtual ~MotionSource() = default;
  // The next motion instant (simulation time) strictly after the previous one returned;
  // none when the source has no more.
  virtual std::optional<Time> next() = 0;
};

// Motion at the same UTC clock times every day.
class DailyMotion : public MotionSource {
 public:
  // TIMES_OF_DAY need not be sorted; PHASE: time zero's offset from a UTC midnight.
  DailyMotion(std::vector<Time> timesOfDay, Time phase);
  std::optional<Time> next() override;

 private:
  std::vector<Time> m_offsets;  // sorted, in [0, 1 d) from the first midnight before time 0
  std::size_t m_index = 0;
  double m_day = 0;
};

// A homogeneous Poisson process: exponential gaps with mean 1/RATE (fixed seed).
class PoissonMotion : public MotionSource {
 public:
  PoissonMotion(Frequency rate, std::uint64_t seed);
  std::optional<Time> next() override;

 private:
  std::mt19937_64 m_random;
  std::exponential_distribution<double> m_gap_s;
  Time m_last{};
};

// Timestamps from a CSV file: a header `time_s` (seconds since the run's start) or
// `time_utc` (ISO 8601 with Z), then one timestamp per line, ascending.
class TraceMotion : public MotionSource {
 public:
  // STARTS_AT: the run's start, seconds since the epoch (for time_utc traces).
  TraceMotion(const std::filesystem::path& csv, double startEpochSeconds);
  std::optional<Time> next() override;
  std::size_t size() const { return m_times.size(); }

 private:
  std::vector<Time> m_times;
  std::size_t m_index = 0;
};

// The source a `motion:` block describes (exactly one of daily / poisson / trace).
std::unique_ptr<MotionSource> createMotionSource(const core::Config& motion,
                                                 double startEpochSeconds);

}  // namespace ej::device
