// Bounded file reading; see io.h.
#include "sim/core/io.h"

#include <fmt/format.h>

#include <fstream>

#include "sim/core/config.h"

namespace ej::core {

std::string readFileLimited(const std::filesystem::path& file, std::size_t maxBytes,
                            std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    throw ConfigError(fmt::format("{}: cannot open {}: it is a folder", file.string(), what));
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot open {}", file.string(), what));
  std::string text;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, std::size_t(in.gcount()));
    if (text.size() > maxBytes) {
      const std::string limit = maxBytes >= (1u << 20) ? fmt::format("{} MB", maxBytes >> 20)
                                                       : fmt::format("{} bytes", maxBytes);
      throw ConfigError(fmt::format("{}: {} is larger than {} (the limit for a {})", file.string(),
                                    what, limit, what));
    }
  }
  if (in.bad()) throw ConfigError(fmt::format("{}: cannot read {}", file.string(), what));
  return text;
}

}  // namespace ej::core
