// Table of the embedded kernel images.
#include "sim/firmware/firmware_images.h"

namespace ej::firmware {

extern const unsigned char k_cortex_m0plus[];
extern const std::size_t k_cortex_m0plus_size;
extern const unsigned char k_cortex_m4f[];
extern const std::size_t k_cortex_m4f_size;
extern const unsigned char k_cortex_m7[];
extern const std::size_t k_cortex_m7_size;
extern const unsigned char k_rv32imc[];
extern const std::size_t k_rv32imc_size;

namespace {
const std::vector<Image>& images() {
  static const std::vector<Image> all = {
      {"cortex-m0plus", k_cortex_m0plus, k_cortex_m0plus_size,
       EJ_FIRMWARE_DIR "/ej_kernels_cortex_m0plus.elf"},
      {"cortex-m4f", k_cortex_m4f, k_cortex_m4f_size, EJ_FIRMWARE_DIR "/ej_kernels_cortex_m4f.elf"},
      {"cortex-m7", k_cortex_m7, k_cortex_m7_size, EJ_FIRMWARE_DIR "/ej_kernels_cortex_m7.elf"},
      {"rv32imc", k_rv32imc, k_rv32imc_size, EJ_FIRMWARE_DIR "/ej_kernels_rv32imc.elf"},
  };
  return all;
}
}  // namespace

const Image* findImage(std::string_view core) {
  for (const auto& image : images()) {
    if (image.core == core) return &image;
  }
  return nullptr;
}

std::vector<std::string> emulatedCores() {
  std::vector<std::string> cores;
  for (const auto& image : images()) cores.push_back(image.core);
  return cores;
}

}  // namespace ej::firmware
