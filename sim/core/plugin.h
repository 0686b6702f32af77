// Plugins: shared libraries that the program loads (dlopen) only when a command needs them, so
// that no other command pays at start-up for loading and relocating their dependencies (Arm NN
// for TensorFlow Lite, protobuf and ONNX, Open MPI).
#pragma once

#include <string>

namespace ej::core {

// Opens the plugin FILE_NAME beside the running program (the folder of /proc/self/exe), else
// at BUILT_PATH (where the build put it), with dlopen's FLAGS, and returns the first of the two
// that opens and defines SYMBOL. nullptr if neither does, with ERROR saying why the first
// candidate failed (dlerror's message, or that it lacks SYMBOL).
void* openPlugin(const std::string& fileName, const std::string& builtPath, const char* symbol,
                 int flags, std::string& error);

}  // namespace ej::core
