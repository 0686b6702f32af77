// A scratch folder per fuzzing process, for the readers that take a file path: each input
// is written to a file there and read back, as the program reads it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace ej::fuzz {

// The process's own folder (in /dev/shm when it is there: no disk writes per input),
// created on first use; removed at exit, or by the next process when libFuzzer ended this
// one with _Exit. -jobs/-workers run one process each.
const std::filesystem::path& scratchDir();

// Writes DATA to scratchDir() / NAME (replacing it) and returns the path. The file stays open
// between calls (written over, then cut to DATA's size), so an input costs no open or close.
std::filesystem::path writeScratch(std::string_view name, std::string_view data);

inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace ej::fuzz
