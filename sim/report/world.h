// The MPI world of a run started by an MPI launcher (mpirun, srun): the points of a sweep or
// a Monte Carlo are shared out over its ranks, which share one output folder. Without MPI at build
// time, or when no launcher started the program, the world is this process alone and nothing
// of MPI is touched: `edgejoule` alone behaves as it always has.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ej::report {

class World {
 public:
  // The world, initializing MPI on the first call when a launcher started the program.
  static const World& get();

  unsigned rank() const { return m_rank; }
  unsigned size() const { return m_size; }
  // Rank 0's TEXT and INDICES to every rank (a collective call).
  void broadcast(std::string& text, std::vector<std::size_t>& indices) const;
  // VALUE summed over the ranks, on every rank (a collective call: also a barrier).
  std::size_t sum(std::size_t value) const;
  // Every rank's TEXT on rank 0, in rank order; an empty list on the other ranks (a
  // collective call). Alone: {TEXT}.
  std::vector<std::string> gather(std::string text) const;
  // True when MPI support was built in.
  static bool built();

  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World();

 private:
  World();
  unsigned m_rank = 0, m_size = 1;
  bool m_mpi = false;
};

}  // namespace ej::report
