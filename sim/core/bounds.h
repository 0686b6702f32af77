// Bounds that keep every run finite: the longest horizon and duration, and how many events
// one source may schedule over a run. The program refuses inputs beyond them with the bound
// named, rather than wrapping the clock or running for days.
#pragma once

#include <string_view>

#include "sim/core/config.h"
#include "sim/core/units.h"

namespace ej::core {

// The longest horizon: 500 years of 365 days. The kernel's 64-bit nanosecond clock spans
// 584.5 years (sim_time.h), so every duration of an input is refused beyond this.
inline constexpr double kMaxHorizonSeconds = 500.0 * 365 * 86400;

// Events one periodic or random source (a job's `every`, the motion's Poisson rate, the solar
// harvester's `step`) may schedule over the horizon: 10^8, about a minute of simulation at the
// kernel's few million events per second.
inline constexpr double kMaxEventsPerSource = 1e8;
// Rows of the time series (`output.timeseries_interval`): 10^7, about 1 GB of CSV.
inline constexpr double kMaxTimeseriesRows = 1e7;
// The shortest period of any source: the clock's 1 ns resolution (a shorter one would round
// to zero and repeat at one instant for ever).
inline constexpr double kMinPeriodSeconds = 1e-9;

// Throws ConfigError at KEY of CFG unless PERIOD >= kMinPeriodSeconds and HORIZON / PERIOD
// <= MAX_COUNT; the message names the count, the bound and the shortest period allowed.
// NOUN names what is counted ("events", "rows").
void requirePeriodBound(const Config& cfg, std::string_view key, Time period, Time horizon,
                        double maxCount, std::string_view noun);
// The same for a RATE (events per second): RATE * HORIZON <= MAX_COUNT.
void requireRateBound(const Config& cfg, std::string_view key, Frequency rate, Time horizon,
                      double maxCount, std::string_view noun);

}  // namespace ej::core
