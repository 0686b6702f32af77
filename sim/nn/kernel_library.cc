// Kernel libraries: names, paths, stored weights and scratch.
#include "sim/nn/kernel_library.h"

#include <stdexcept>

namespace ej::nn {

KernelLibrary kernelLibraryFromName(const std::string& name) {
  if (name == "reference") return KernelLibrary::Reference;
  if (name == "optimized") return KernelLibrary::Optimized;
  throw std::invalid_argument("unknown kernel library '" + name + "' (reference, optimized)");
}

const char* kernelLibraryName(KernelLibrary library) {
  return library == KernelLibrary::Reference ? "reference" : "optimized";
}

std::vector<std::string> kernelLibraryNames() { return {"reference", "optimized"}; }

bool hasDsp(Core core) {
  return core == Core::CortexM4F || core == Core::CortexM7 || core == Core::CortexM33;
}

int kernelPath(const ej_layer_t& layer, KernelLibrary library) {
  return library == KernelLibrary::Optimized ? int(ej_opt_path(&layer)) : EJ_PATH_REFERENCE;
}

std::vector<std::int8_t> storedWeights(const QLayer& l, Core core, KernelLibrary library) {
  const int path = kernelPath(l.desc, library);
  if (!hasDsp(core) || (path != EJ_PATH_IM2COL && path != EJ_PATH_FC)) return l.weights;
  const ej_layer_t& d = l.desc;
  const std::size_t k =
      path == EJ_PATH_FC ? std::size_t(d.in_c) : std::size_t(d.in_c / d.groups * d.k_h * d.k_w);
  std::vector<std::int8_t> w = l.weights;
  for (std::size_t row = 0; row + k <= w.size(); row += k) {
    for (std::size_t i = 0; i + 4 <= k; i += 4) {
      w[row + i + 1] = l.weights[row + i + 2];
      w[row + i + 2] = l.weights[row + i + 1];
    }
  }
  return w;
}

std::int64_t scratchBytes(const QLayer& l, Core core, KernelLibrary library) {
  const ej_layer_t& d = l.desc;
  switch (kernelPath(d, library)) {
    case EJ_PATH_IM2COL:
      return 2 * 2 * ((std::int64_t(d.in_c / d.groups) * d.k_h * d.k_w + 1) / 2 * 2);
    case EJ_PATH_FC:
      return hasDsp(core) ? 2 * std::int64_t(d.in_c) : 0;
    default:
      return 0;
  }
}

}  // namespace ej::nn
