// Scratch folder of a fuzzing process; see fuzz_scratch.h.
#include "tests/fuzz/fuzz_scratch.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace ej::fuzz {
namespace fs = std::filesystem;

const fs::path& scratchDir() {
  static const fs::path dir = [] {
    std::error_code ec;
    const fs::path shm = "/dev/shm";
    const fs::path base = fs::is_directory(shm, ec) && ::access(shm.c_str(), W_OK) == 0
                              ? shm
                              : fs::temp_directory_path();
    // libFuzzer ends with _Exit, past atexit: first remove the folders of processes gone.
    std::error_code sweepError;
    for (const auto& entry : fs::directory_iterator(base, sweepError)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("ej_fuzz_", 0) != 0) continue;
      const long pid = std::strtol(name.c_str() + 8, nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
        std::error_code ignored;
        fs::remove_all(entry.path(), ignored);
      }
    }
    fs::path d = base / ("ej_fuzz_" + std::to_string(::getpid()));
    fs::create_directories(d);
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(scratchDir(), ignored);
    });
    return d;
  }();
  return dir;
}

fs::path writeScratch(std::string_view name, std::string_view data) {
  const fs::path file = scratchDir() / std::string(name);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) {
    std::perror(file.c_str());
    std::abort();
  }
  return file;
}

}  // namespace ej::fuzz
