// SystemC time base of edgejoule. The resolution is 1 ns: the 64-bit sc_time then spans
// about 584 years (the default 1 ps overflows after about 213 days), and 1 ns is finer than
// any MCU cycle or radio symbol modelled here.
#pragma once

#include <cmath>
#include <systemc>

#include "sim/core/units.h"

namespace ej::core {

// Delta cycles within which one node's activity at an instant settles: the longest chain is
// a PIR event, its output signal's update, and the MCU's wake method with its request.
// SystemC runs same-instant events in an order that other nodes sharing the kernel change
// (a sweep shard hosts many), so decisions that look at "the state now" wait this long:
// the MCU before it goes idle (sim/device/mcu.cc), the battery before a brown-out on a
// load step (sim/power/battery_module.cc).
constexpr int kSameInstantDeltas = 3;

// Set once the kernel counts in nanoseconds (fromScTime's shortcut).
inline bool gNanosecondKernel = false;

// Must run before any sc_time other than zero exists (i.e. before elaboration).
inline void setKernelTimeResolution() {
  static bool done = false;
  if (!done) {
    sc_core::sc_set_time_resolution(1.0, sc_core::SC_NS);
    done = true;
    gNanosecondKernel = true;
  }
}

// The kernel's clock: 64-bit nanoseconds, so at most 2^64 - 1 ns (about 584.5 years).
inline constexpr double kClockLimitSeconds = 18446744073.709551615;

// Whole seconds convert exactly (a double holds them exactly up to 2^53 s); the fraction
// rounds to the nearest nanosecond. Going through sc_time(double, SC_SEC) instead would
// round times beyond about 104 days to a multiple of several hundred nanoseconds.
// A time at or past the clock's end (or NaN) saturates to its last nanosecond, "never within
// a run", rather than wrapping (a conversion past 2^64 is undefined behaviour): inputs are
// bounded far below it (kMaxHorizonSeconds, sim/core/bounds.h), so only computed instants
// that lie beyond any horizon (a battery that empties in 10^20 s) reach it.
inline sc_core::sc_time toScTime(Time t) {
  const double s = in_s(t);
  if (s <= 0) return sc_core::SC_ZERO_TIME;
  // Whole seconds below this bound leave room for the fraction's nanoseconds.
  constexpr double kLastWholeSecond = 18446744072.0;
  if (!(s < kLastWholeSecond)) return sc_core::sc_max_time();
  const double whole = std::floor(s);
  const auto ns = static_cast<sc_dt::uint64>(whole) * 1000000000ULL +
                  static_cast<sc_dt::uint64>(std::llround((s - whole) * 1e9));
  return sc_core::sc_time::from_value(ns);
}
// A delay from now: as toScTime, but never past the clock's end when added to the current
// time (sc_event::notify and wait add it, and 64-bit nanoseconds wrap silently).
inline sc_core::sc_time toScDelay(Time dt) {
  const sc_core::sc_time d = toScTime(dt);
  const sc_core::sc_time room = sc_core::sc_max_time() - sc_core::sc_time_stamp();
  return d < room ? d : room;
}
// sc_time::to_seconds() is a call into the kernel at every conversion (it reads the
// resolution through the simulation context); at 1 ns it is this product, the same to the bit
// (the resolution in femtoseconds, then 1e-15; checked on 10^7 random values).
inline Time fromScTime(const sc_core::sc_time& t) {
  if (gNanosecondKernel) return seconds(sc_dt::uint64_to_double(t.value()) * 1e6 * 1e-15);
  return seconds(t.to_seconds());
}
inline Time simNow() { return fromScTime(sc_core::sc_time_stamp()); }

}  // namespace ej::core
