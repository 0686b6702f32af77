// The cross-compiled kernel images (ej_kernels.c, and ej_kernels_opt.c for the optimized
// library, built for each emulated core), embedded in the program by the build; see README.md.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ej::firmware {

// One ELF file of ej_kernels for one core and kernel library.
struct Image {
  std::string core;          // the hw/mcu `core:` name: cortex-m0plus, cortex-m4f, ...
  std::string library;       // "reference" or "optimized"
  const unsigned char* elf;  // the ELF file's bytes
  std::size_t size;          // bytes
  std::string path;          // where the build wrote it (for objdump)
};

// The image of LIBRARY for CORE, or nullptr when no emulated firmware exists for the core
// (e.g. xtensa-lx6) or the library is unknown.
const Image* findImage(std::string_view core, std::string_view library = "optimized");

// The cores that have images (each has both libraries).
std::vector<std::string> emulatedCores();

// "reference", "optimized".
std::vector<std::string> kernelLibraries();

}  // namespace ej::firmware
