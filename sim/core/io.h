// Reading input files with a stated size limit, so that a file named by mistake (a device
// such as /dev/zero, a multi-gigabyte log) is refused at once instead of read for ever.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace ej::core {

// Size limits of the inputs (bytes), each far above the largest shipped file of its kind.
inline constexpr std::size_t kMaxYamlBytes = 4u << 20;     // a scenario or part file
inline constexpr std::size_t kMaxTraceBytes = 256u << 20;  // a CSV trace
inline constexpr std::size_t kMaxModelBytes = 256u << 20;  // an ONNX model

// The whole of FILE, or ConfigError "FILE: cannot open WHAT" / "FILE: WHAT is larger than
// N MB (the limit for WHAT)" when it cannot be opened, is a folder, or holds more than
// MAX_BYTES. Reads at most MAX_BYTES + 1 bytes whatever the file is.
std::string readFileLimited(const std::filesystem::path& file, std::size_t maxBytes,
                            std::string_view what);

}  // namespace ej::core
