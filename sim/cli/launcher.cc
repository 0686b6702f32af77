// edgejoule's front program: answers `--version` itself and runs every other command in
// edgejoule-commands, the program beside it that links SystemC, yaml-cpp and the simulator
// (which hands train, prune and zoo on to edgejoule-models). Loading and relocating its shared
// libraries takes the dynamic loader milliseconds; this program links only the C and C++
// runtimes, and statically, so `edgejoule --version` starts in about 2 ms
// (tests/bench/speed/run measures it).
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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
}  // namespace

int main(int argc, char* argv[]) {
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::fputs("edgejoule " EJ_VERSION "\n", stdout);
    return 0;
  }
  const std::string commands = ownFolder() + "edgejoule-commands";
  ::execv(commands.c_str(), argv);  // returns only on failure
  std::fprintf(stderr, "edgejoule: cannot run %s: %s\n", commands.c_str(), std::strerror(errno));
  return 127;
}
