// edgejoule's front program: answers `--version` itself and runs every other command in
// edgejoule-commands, the program beside it that links SystemC, ONNX, protobuf, Unicorn,
// Capstone, MPI and libcurl. Loading and relocating those ~50 shared libraries takes the
// dynamic loader tens of milliseconds; this program links only the C and C++ runtimes, so
// `edgejoule --version` starts in about a millisecond (tests/bench/speed/run measures it).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#ifndef EJ_VERSION
#define EJ_VERSION "unknown"
#endif

namespace {
// The folder of this executable (from /proc/self/exe), with a trailing '/'; empty if unknown.
std::string ownFolder() {
  char path[4096];
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return {};
  const std::string_view self(path, static_cast<std::size_t>(n));
  const std::size_t slash = self.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(self.substr(0, slash + 1));
}

// Asks glibc's malloc (2.35 and later; older ones ignore it) to back its large blocks with
// transparent huge pages where the kernel offers them (`madvise` mode). SystemC's static
// initializer allocates and zeroes a 3 MB heap in every process that links it: 768 page
// faults of 4 kB, each a trap to the hypervisor on a virtual machine. On the 2-core
// development VM the seed node's year took 50-52 ms of CPU without and 31-37 ms with it
// (perf stat, 15 runs each). Results do not depend on where memory lies. A setting of the
// user's own (glibc.malloc.hugetlb in GLIBC_TUNABLES) is kept.
void askForHugePages() {
  constexpr const char* kTunable = "glibc.malloc.hugetlb=1";
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables == nullptr || *tunables == '\0') {
    ::setenv("GLIBC_TUNABLES", kTunable, 1);
  } else if (std::strstr(tunables, "glibc.malloc.hugetlb") == nullptr) {
    ::setenv("GLIBC_TUNABLES", (std::string(tunables) + ":" + kTunable).c_str(), 1);
  }
}
}  // namespace

int main(int argc, char* argv[]) {
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::fputs("edgejoule " EJ_VERSION "\n", stdout);
    return 0;
  }
  askForHugePages();
  const std::string commands = ownFolder() + "edgejoule-commands";
  ::execv(commands.c_str(), argv);  // returns only on failure
  std::fprintf(stderr, "edgejoule: cannot run %s: %s\n", commands.c_str(), std::strerror(errno));
  return 127;
}
