// toScTime and toScDelay past the 64-bit nanosecond clock (issue 19: undefined behaviour
// past 2^64 ns, which wrapped 2^64 ns + 3 s to 3 s).
#include "sim/core/sim_time.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ej::core {
namespace {

TEST(SimTimeTest, TimesPastTheClockSaturateInsteadOfWrapping) {
  setKernelTimeResolution();
  EXPECT_EQ(toScTime(seconds(1.5)).value(), 1500000000u);
  // 2^64 ns + 3 s: past the clock; the last nanosecond, not 3 s.
  EXPECT_EQ(toScTime(seconds(18446744076.709551616)), sc_core::sc_max_time());
  EXPECT_EQ(toScTime(seconds(1e300)), sc_core::sc_max_time());
  EXPECT_EQ(toScTime(seconds(std::nan(""))), sc_core::sc_max_time());
  // 18446744071.5 s is below the last whole second handled exactly.
  EXPECT_EQ(toScTime(seconds(18446744071.5)).value(), 18446744071500000000u);
  // A delay never runs past the clock's end when added to now (0 here).
  EXPECT_EQ(toScDelay(seconds(1e20)), sc_core::sc_max_time());
}

}  // namespace
}  // namespace ej::core
