// A minimal ELF32 little-endian reader (System V ABI, ELF header, program and section
// headers): the loadable segments and the symbol table of a cross-compiled kernel image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ej::nn {

struct ElfSegment {
  std::uint32_t address = 0;
  std::vector<std::uint8_t> bytes;  // file bytes, zero-filled up to the memory size
};

struct ElfImage {
  std::uint16_t machine = 0;  // e_machine: 40 = ARM, 243 = RISC-V
  std::vector<ElfSegment> segments;
  std::map<std::string, std::uint32_t> symbols;
  // The address of NAME; throws std::runtime_error when absent.
  std::uint32_t symbol(const std::string& name) const;
};

// Parses the ELF file in DATA. Throws std::runtime_error on anything but ELF32 LE.
ElfImage parseElf(const unsigned char* data, std::size_t size);

}  // namespace ej::nn
