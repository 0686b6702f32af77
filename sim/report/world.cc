// The MPI world (Open MPI or any MPI-3 library) when a launcher started the program; else one
// rank. MPI is initialised only when the launcher's environment says so (Open MPI's mpirun
// sets OMPI_COMM_WORLD_SIZE; Slurm's srun with PMIx or PMI-2 sets PMIX_RANK or PMI_SIZE), and
// only then is the MPI plugin (world_mpi.cc, which links MPI) loaded.
#include "sim/report/world.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "sim/core/plugin.h"
#include "sim/report/world_mpi.h"

namespace ej::report {

namespace {
bool startedByLauncher() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(var)) return true;
  }
  return false;
}

struct MpiPlugin {
  decltype(&ej_mpi_init) init = nullptr;
  decltype(&ej_mpi_finalize) finalize = nullptr;
  decltype(&ej_mpi_broadcast) broadcast = nullptr;
  decltype(&ej_mpi_sum) sum = nullptr;
  decltype(&ej_mpi_gather_sizes) gatherSizes = nullptr;
  decltype(&ej_mpi_gather) gather = nullptr;
};

#ifdef EJ_MPI_PLUGIN
// The plugin beside the running program, else where the build put it (core::openPlugin).
// RTLD_GLOBAL: Open MPI's own components, loaded by MPI_Init, look up libmpi's symbols.
MpiPlugin loadPlugin() {
  std::string error;
  if (void* lib = core::openPlugin(kMpiPluginName, EJ_MPI_PLUGIN, "ej_mpi_init",
                                   RTLD_NOW | RTLD_GLOBAL, error)) {
    MpiPlugin p;
    p.init = reinterpret_cast<decltype(p.init)>(::dlsym(lib, "ej_mpi_init"));
    p.finalize = reinterpret_cast<decltype(p.finalize)>(::dlsym(lib, "ej_mpi_finalize"));
    p.broadcast = reinterpret_cast<decltype(p.broadcast)>(::dlsym(lib, "ej_mpi_broadcast"));
    p.sum = reinterpret_cast<decltype(p.sum)>(::dlsym(lib, "ej_mpi_sum"));
    p.gatherSizes = reinterpret_cast<decltype(p.gatherSizes)>(::dlsym(lib, "ej_mpi_gather_sizes"));
    p.gather = reinterpret_cast<decltype(p.gather)>(::dlsym(lib, "ej_mpi_gather"));
    if (p.init && p.finalize && p.broadcast && p.sum && p.gatherSizes && p.gather) return p;
    error = std::string(kMpiPluginName) + ": not edgejoule's MPI plugin";
  }
  throw std::runtime_error(
      "started by an MPI launcher, but edgejoule's MPI support cannot be "
      "loaded (" +
      error + ")");
}
#endif

MpiPlugin& plugin() {
  static MpiPlugin p;
  return p;
}
}  // namespace

bool World::built() {
#ifdef EJ_MPI_PLUGIN
  return true;
#else
  return false;
#endif
}

const World& World::get() {
  static World world;
  return world;
}

World::World() {
  if (!startedByLauncher()) return;
#ifdef EJ_MPI_PLUGIN
  plugin() = loadPlugin();
  if (!plugin().init(&m_rank, &m_size)) throw std::runtime_error("MPI_Init failed");
  m_mpi = true;
#endif
}

World::~World() {
  if (m_mpi) plugin().finalize();
}

void World::broadcast(std::string& text, std::vector<std::size_t>& indices) const {
  if (!m_mpi) return;
  unsigned long long sizes[2] = {text.size(), indices.size()};
  plugin().broadcast(sizes, sizeof sizes);
  text.resize(sizes[0]);
  plugin().broadcast(text.data(), sizes[0]);
  std::vector<unsigned long long> v(indices.begin(), indices.end());
  v.resize(sizes[1]);
  plugin().broadcast(v.data(), sizes[1] * sizeof(unsigned long long));
  indices.assign(v.begin(), v.end());
}

std::size_t World::sum(std::size_t value) const {
  if (!m_mpi) return value;
  return static_cast<std::size_t>(plugin().sum(value));
}

std::vector<std::string> World::gather(std::string text) const {
  if (!m_mpi) return {std::move(text)};
  std::vector<unsigned long long> sizes(m_size);
  plugin().gatherSizes(text.size(), sizes.data());
  std::string all;
  if (m_rank == 0) {
    unsigned long long total = 0;
    for (const auto n : sizes) total += n;
    all.resize(total);
  }
  plugin().gather(text.data(), text.size(), all.data(), sizes.data());
  if (m_rank != 0) return {};
  std::vector<std::string> texts;
  std::size_t at = 0;
  for (const auto n : sizes) {
    texts.push_back(all.substr(at, n));
    at += n;
  }
  return texts;
}

}  // namespace ej::report
