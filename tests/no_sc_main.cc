// sc_main for tests that do not elaborate SystemC but link a library that uses its types:
// libsystemc.so refers to sc_main, and builds that keep the headers' inline code (the asan
// and debug presets, -O0) link libsystemc.so even where release drops it. Never called: these
// tests enter through GoogleTest's main.
#include <cstdio>

// C linkage, as SystemC declares it (sysc/kernel/sc_externs.h).
extern "C" int sc_main(int, char*[]) {
  std::fprintf(stderr, "this test does not run the SystemC kernel\n");
  return 1;
}
