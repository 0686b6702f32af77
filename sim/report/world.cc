// The MPI world (Open MPI or any MPI-3 library) when a launcher started the program; else one
// rank. MPI is initialised only when the launcher's environment says so (Open MPI's mpirun
// sets OMPI_COMM_WORLD_SIZE; Slurm's srun with PMIx or PMI-2 sets PMIX_RANK or PMI_SIZE).
#include "sim/report/world.h"

#include <cstdlib>
#include <stdexcept>

#ifdef EJ_HAVE_MPI
// The C API only: Open MPI's mpi.h otherwise pulls in its deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace ej::report {

namespace {
bool startedByLauncher() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(var)) return true;
  }
  return false;
}
}  // namespace

bool World::built() {
#ifdef EJ_HAVE_MPI
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
#ifdef EJ_HAVE_MPI
  if (!startedByLauncher()) return;
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized && MPI_Init(nullptr, nullptr) != MPI_SUCCESS) {
    throw std::runtime_error("MPI_Init failed");
  }
  m_mpi = true;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  m_rank = static_cast<unsigned>(rank);
  m_size = static_cast<unsigned>(size);
#else
  (void)startedByLauncher;
#endif
}

World::~World() {
#ifdef EJ_HAVE_MPI
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (m_mpi && !finalized) MPI_Finalize();
#endif
}

void World::broadcast(std::string& text, std::vector<std::size_t>& indices) const {
#ifdef EJ_HAVE_MPI
  if (!m_mpi) return;
  unsigned long long sizes[2] = {text.size(), indices.size()};
  MPI_Bcast(sizes, 2, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  text.resize(sizes[0]);
  if (sizes[0] > 0) {
    MPI_Bcast(text.data(), static_cast<int>(sizes[0]), MPI_CHAR, 0, MPI_COMM_WORLD);
  }
  std::vector<unsigned long long> v(indices.begin(), indices.end());
  v.resize(sizes[1]);
  if (sizes[1] > 0) {
    MPI_Bcast(v.data(), static_cast<int>(sizes[1]), MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  }
  indices.assign(v.begin(), v.end());
#else
  (void)text;
  (void)indices;
#endif
}

std::size_t World::sum(std::size_t value) const {
#ifdef EJ_HAVE_MPI
  if (!m_mpi) return value;
  unsigned long long in = value, out = 0;
  MPI_Allreduce(&in, &out, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
  return static_cast<std::size_t>(out);
#else
  return value;
#endif
}

}  // namespace ej::report
