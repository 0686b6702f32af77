// The C interface of the MPI plugin (world_mpi.cc), loaded by world.cc under an MPI launcher.
#pragma once

// Exported from the plugin, which hides everything else.
#define EJ_MPI_API __attribute__((visibility("default")))

extern "C" {
// MPI_Init (unless done) and the world's RANK and SIZE; 0 when MPI_Init failed.
EJ_MPI_API int ej_mpi_init(unsigned* rank, unsigned* size);
// MPI_Finalize (unless done).
EJ_MPI_API void ej_mpi_finalize();
// BYTES at DATA from rank 0 to every rank (collective).
EJ_MPI_API void ej_mpi_broadcast(void* data, unsigned long long bytes);
// VALUE summed over the ranks, on every rank (collective).
EJ_MPI_API unsigned long long ej_mpi_sum(unsigned long long value);
// Every rank's BYTES to rank 0's SIZES, one per rank in rank order (collective).
EJ_MPI_API void ej_mpi_gather_sizes(unsigned long long bytes, unsigned long long* sizes);
// Every rank's BYTES at DATA to rank 0's OUT, end to end in rank order; SIZES (rank 0's,
// from ej_mpi_gather_sizes) says how many each sends. Collective; OUT and SIZES are read
// on rank 0 only.
EJ_MPI_API void ej_mpi_gather(const void* data, unsigned long long bytes, void* out,
                              const unsigned long long* sizes);
}

namespace ej::report {
// The plugin's file name; world.cc looks beside the running program first.
inline constexpr const char* kMpiPluginName = "libedgejoule-mpi.so";
}  // namespace ej::report
