// Scratch folder of a fuzzing process; see fuzz_scratch.h.
#include "tests/fuzz/fuzz_scratch.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

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
  // One descriptor per file name, kept open: each input is written over the last one and the
  // file cut to its size (no open, close or truncation to zero per input).
  struct Open {
    std::string name;
    fs::path path;
    int fd;
  };
  static std::vector<Open> files;
  auto it = std::find_if(files.begin(), files.end(), [&](const Open& f) { return f.name == name; });
  if (it == files.end()) {
    fs::path path = scratchDir() / std::string(name);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      std::perror(path.c_str());
      std::abort();
    }
    files.push_back({std::string(name), std::move(path), fd});
    it = files.end() - 1;
  }
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::pwrite(it->fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::perror(it->path.c_str());
      std::abort();
    }
    done += static_cast<std::size_t>(n);
  }
  if (::ftruncate(it->fd, static_cast<off_t>(data.size())) != 0) {
    std::perror(it->path.c_str());
    std::abort();
  }
  return it->path;
}

}  // namespace ej::fuzz
