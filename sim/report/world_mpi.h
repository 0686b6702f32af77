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
}

namespace ej::report {
// The plugin's file name; world.cc looks beside the running program first.
inline constexpr const char* kMpiPluginName = "libedgejoule-mpi.so";
}  // namespace ej::report
