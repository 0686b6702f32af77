// The MPI side of report::World, built as a plugin (libedgejoule-mpi.so) that world.cc loads
// only when an MPI launcher started the program, so that no other run loads Open MPI's seven
// libraries (2 ms of every start). A C interface: the plugin and the program agree on nothing
// else.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

// The C API only: Open MPI's mpi.h otherwise pulls in its deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include "sim/report/world_mpi.h"

namespace {
// When Open MPI's launcher says that every rank is on this node, the ranks can only talk through
// shared memory: Open MPI is told so (point-to-point ob1 over the self and vader transports),
// unless the user chose transports in the environment. It then skips probing for network
// fabrics (UCX, OFI, PSM): MPI_Init took 0.27 s without this and 0.07 s with it, per run of
// 2 ranks on a 2-core VM (tests/bench/README.md, tenth pass). Across nodes, or under another
// launcher, nothing is changed.
void preferSharedMemoryOnOneNode() {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  const char* local = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  if (size == nullptr || local == nullptr || std::strcmp(size, local) != 0) return;
  for (const char* chosen : {"OMPI_MCA_pml", "OMPI_MCA_btl", "OMPI_MCA_mtl", "OMPI_MCA_osc"}) {
    if (std::getenv(chosen) != nullptr) return;
  }
  setenv("OMPI_MCA_pml", "ob1", 0);
  setenv("OMPI_MCA_btl", "self,vader", 0);
}

// Messages go in pieces an int counts (MPI counts are ints): the piece of BYTES from DONE on.
constexpr unsigned long long kPiece = 1ULL << 30;
int pieceOf(unsigned long long bytes, unsigned long long done) {
  return static_cast<int>(bytes - done < kPiece ? bytes - done : kPiece);
}
}  // namespace

extern "C" {

int ej_mpi_init(unsigned* rank, unsigned* size) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    preferSharedMemoryOnOneNode();
    if (MPI_Init(nullptr, nullptr) != MPI_SUCCESS) return 0;
  }
  int r = 0, s = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  *rank = static_cast<unsigned>(r);
  *size = static_cast<unsigned>(s);
  return 1;
}

void ej_mpi_finalize() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void ej_mpi_broadcast(void* data, unsigned long long bytes) {
  auto* p = static_cast<char*>(data);
  for (unsigned long long done = 0; done < bytes; done += kPiece) {
    MPI_Bcast(p + done, pieceOf(bytes, done), MPI_BYTE, 0, MPI_COMM_WORLD);
  }
}

unsigned long long ej_mpi_sum(unsigned long long value) {
  unsigned long long out = 0;
  MPI_Allreduce(&value, &out, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
  return out;
}

void ej_mpi_gather_sizes(unsigned long long bytes, unsigned long long* sizes) {
  MPI_Gather(&bytes, 1, MPI_UNSIGNED_LONG_LONG, sizes, 1, MPI_UNSIGNED_LONG_LONG, 0,
             MPI_COMM_WORLD);
}

// Rank by rank, point to point: MPI_Gatherv's counts and offsets are ints (2 GiB in all).
void ej_mpi_gather(const void* data, unsigned long long bytes, void* out,
                   const unsigned long long* sizes) {
  constexpr int kTag = 0x656a;  // "ej": apart from any other message
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const auto* mine = static_cast<const char*>(data);
  if (rank != 0) {
    for (unsigned long long done = 0; done < bytes; done += kPiece) {
      MPI_Send(mine + done, pieceOf(bytes, done), MPI_BYTE, 0, kTag, MPI_COMM_WORLD);
    }
    return;
  }
  auto* to = static_cast<char*>(out);
  if (bytes > 0) std::memcpy(to, mine, bytes);
  to += bytes;
  for (int r = 1; r < size; ++r) {
    for (unsigned long long done = 0; done < sizes[r]; done += kPiece) {
      MPI_Recv(to + done, pieceOf(sizes[r], done), MPI_BYTE, r, kTag, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
    }
    to += sizes[r];
  }
}

}  // extern "C"
