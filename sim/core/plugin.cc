#include "sim/core/plugin.h"

#include <dlfcn.h>

#include <filesystem>
#include <vector>

namespace ej::core {

void* openPlugin(const std::string& fileName, const std::string& builtPath, const char* symbol,
                 int flags, std::string& error) {
  std::vector<std::string> candidates;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back((self.parent_path() / fileName).string());
  candidates.push_back(builtPath);
  error.clear();
  for (const auto& path : candidates) {
    void* lib = ::dlopen(path.c_str(), flags);
    if (lib == nullptr) {
      if (error.empty()) error = ::dlerror();
      continue;
    }
    if (::dlsym(lib, symbol) != nullptr) return lib;
    if (error.empty()) error = path + ": no " + symbol;
    ::dlclose(lib);
  }
  return nullptr;
}

}  // namespace ej::core
