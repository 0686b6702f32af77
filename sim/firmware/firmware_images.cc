// Table of the embedded kernel images.
#include "sim/firmware/firmware_images.h"

namespace ej::firmware {

extern const unsigned char k_cortex_m0plus_reference[];
extern const std::size_t k_cortex_m0plus_reference_size;
extern const unsigned char k_cortex_m0plus_optimized[];
extern const std::size_t k_cortex_m0plus_optimized_size;
extern const unsigned char k_cortex_m4f_reference[];
extern const std::size_t k_cortex_m4f_reference_size;
extern const unsigned char k_cortex_m4f_optimized[];
extern const std::size_t k_cortex_m4f_optimized_size;
extern const unsigned char k_cortex_m7_reference[];
extern const std::size_t k_cortex_m7_reference_size;
extern const unsigned char k_cortex_m7_optimized[];
extern const std::size_t k_cortex_m7_optimized_size;
extern const unsigned char k_cortex_m33_reference[];
extern const std::size_t k_cortex_m33_reference_size;
extern const unsigned char k_cortex_m33_optimized[];
extern const std::size_t k_cortex_m33_optimized_size;
extern const unsigned char k_rv32imc_reference[];
extern const std::size_t k_rv32imc_reference_size;
extern const unsigned char k_rv32imc_optimized[];
extern const std::size_t k_rv32imc_optimized_size;

namespace {
const std::vector<Image>& images() {
  static const std::vector<Image> all = {
      {"cortex-m0plus", "reference", k_cortex_m0plus_reference, k_cortex_m0plus_reference_size,
       EJ_FIRMWARE_DIR "/ej_kernels_cortex_m0plus_reference.elf"},
      {"cortex-m0plus", "optimized", k_cortex_m0plus_optimized, k_cortex_m0plus_optimized_size,
       EJ_FIRMWARE_DIR "/ej_kernels_cortex_m0plus_optimized.elf"},
      {"cortex-m4f", "reference", k_cortex_m4f_reference, k_cortex_m4f_reference_size,
       EJ_FIRMWARE_DIR "/ej_kernels_cortex_m4f_reference.elf"},
      {"cortex-m4f", "optimized", k_cortex_m4f_optimized, k_cortex_m4f_optimized_size,
       EJ_FIRMWARE_DIR "/ej_kernels_cortex_m4f_optimized.elf"},
      {"cortex-m7", "reference", k_cortex_m7_reference, k_cortex_m7_reference_size,
       EJ_FIRMWARE_DIR "/ej_kernels_cortex_m7_reference.elf"},
      {"cortex-m7", "optimized", k_cortex_m7_optimized, k_cortex_m7_optimized_size,
       EJ_FIRMWARE_DIR "/ej_kernels_cortex_m7_optimized.elf"},
      {"cortex-m33", "reference", k_cortex_m33_reference, k_cortex_m33_reference_size,
       EJ_FIRMWARE_DIR "/ej_kernels_cortex_m33_reference.elf"},
      {"cortex-m33", "optimized", k_cortex_m33_optimized, k_cortex_m33_optimized_size,
       EJ_FIRMWARE_DIR "/ej_kernels_cortex_m33_optimized.elf"},
      {"rv32imc", "reference", k_rv32imc_reference, k_rv32imc_reference_size,
       EJ_FIRMWARE_DIR "/ej_kernels_rv32imc_reference.elf"},
      {"rv32imc", "optimized", k_rv32imc_optimized, k_rv32imc_optimized_size,
       EJ_FIRMWARE_DIR "/ej_kernels_rv32imc_optimized.elf"},
  };
  return all;
}
}  // namespace

const Image* findImage(std::string_view core, std::string_view library) {
  for (const auto& image : images()) {
    if (image.core == core && image.library == library) return &image;
  }
  return nullptr;
}

std::vector<std::string> emulatedCores() {
  std::vector<std::string> cores;
  for (const auto& image : images()) {
    if (image.library == "reference") cores.push_back(image.core);
  }
  return cores;
}

std::vector<std::string> kernelLibraries() { return {"reference", "optimized"}; }

}  // namespace ej::firmware
