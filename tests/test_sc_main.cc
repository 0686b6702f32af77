// Entry point of test programs that elaborate SystemC: SystemC owns main() and calls
// sc_main, which runs the tests. ctest starts one process per test (gtest_discover_tests),
// so each test gets a fresh kernel.
#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
