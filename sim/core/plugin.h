// Plugins: shared libraries that the program loads (dlopen) only when a command needs them, so
// that no other command pays at start-up for loading and relocating their dependencies (Arm NN
// for TensorFlow Lite, protobuf and ONNX, Open MPI).
#pragma once

#include <dlfcn.h>

#include <mutex>
#include <string>
#include <utility>

namespace ej::core {

// Opens the plugin FILE_NAME beside the running program (the folder of /proc/self/exe), else
// at BUILT_PATH (where the build put it), with dlopen's FLAGS, and returns the first of the two
// that opens and defines SYMBOL. nullptr if neither does, with ERROR saying why the first
// candidate failed (dlerror's message, or that it lacks SYMBOL).
void* openPlugin(const std::string& fileName, const std::string& builtPath, const char* symbol,
                 int flags, std::string& error);

// One function of a plugin (FN, a function pointer type), loaded by openPlugin at the first
// get(), once and thread-safely, and kept loaded.
template <class Fn>
class PluginFunction {
 public:
  PluginFunction(std::string fileName, std::string builtPath, const char* symbol, int flags)
      : m_fileName(std::move(fileName)),
        m_builtPath(std::move(builtPath)),
        m_symbol(symbol),
        m_flags(flags) {}

  // The function, or nullptr if the plugin cannot be loaded (error() says why).
  Fn get() {
    std::call_once(m_once, [this] {
      if (void* lib = openPlugin(m_fileName, m_builtPath, m_symbol, m_flags, m_error)) {
        m_fn = reinterpret_cast<Fn>(::dlsym(lib, m_symbol));
      }
    });
    return m_fn;
  }
  const std::string& error() const { return m_error; }

 private:
  std::string m_fileName, m_builtPath;
  const char* m_symbol;
  int m_flags;
  std::once_flag m_once;
  Fn m_fn = nullptr;
  std::string m_error;
};

}  // namespace ej::core
