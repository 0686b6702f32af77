// The cross-compiled kernel images (ej_kernels.c built for each emulated core), embedded
// in the program by the build; see README.md.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ej::firmware {

// One ELF file of ej_kernels for one core.
struct Image {
  std::string core;          // the hw/mcu `core:` name: cortex-m0plus, cortex-m4f, ...
  const unsigned char* elf;  // the ELF file's bytes
  std::size_t size;          // bytes
  std::string path;          // where the build wrote it (for objdump)
};

// The image for CORE, or nullptr when no emulated firmware exists for it (e.g. xtensa-lx6).
const Image* findImage(std::string_view core);

// The cores that have an image.
std::vector<std::string> emulatedCores();

}  // namespace ej::firmware
