// SystemC time base of edgejoule. The resolution is 1 ns: the 64-bit sc_time then spans
// about 584 years (the default 1 ps overflows after about 213 days), and 1 ns is finer than
// any MCU cycle or radio symbol modelled here.
#pragma once

#include <systemc>

#include "sim/core/units.h"

namespace ej::core {

// Must run before any sc_time other than zero exists (i.e. before elaboration).
inline void setKernelTimeResolution() {
  static bool done = false;
  if (!done) {
    sc_core::sc_set_time_resolution(1.0, sc_core::SC_NS);
    done = true;
  }
}

inline sc_core::sc_time toScTime(Time t) { return sc_core::sc_time(in_s(t), sc_core::SC_SEC); }
inline Time fromScTime(const sc_core::sc_time& t) { return seconds(t.to_seconds()); }
inline Time simNow() { return fromScTime(sc_core::sc_time_stamp()); }

}  // namespace ej::core
