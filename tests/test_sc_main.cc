// Entry point of test programs that elaborate SystemC: SystemC owns main() and calls
// sc_main, which runs the tests. ctest starts one process per test (gtest_discover_tests),
// so each test gets a fresh kernel.
#include <gtest/gtest.h>

#include <systemc>

int sc_main(int argc, char* argv[]) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
