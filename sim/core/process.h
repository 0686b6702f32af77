// Child processes, one implementation (Boost.Process): gnuplot for the figures and the
// sweep's worker processes. A child's standard output and error go to files (or nowhere),
// never to the terminal, and it can be tied to the parent's life.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ej::core {

struct ProcessSpec {
  std::string program;             // a path, or a name looked up on the PATH
  std::vector<std::string> args;   // without the program itself
  std::filesystem::path workDir;   // empty: the parent's working folder
  std::filesystem::path stdoutTo;  // empty: /dev/null
  std::filesystem::path stderrTo;  // empty: /dev/null
  bool dieWithParent = false;      // killed (SIGKILL) when the parent dies (Linux)
};

// Starts SPEC and returns the child's process id; the caller waits for it with
// waitForChild() or waitForAnyChild(). Throws std::runtime_error naming the program when it
// cannot be started.
pid_t startProcess(const ProcessSpec& spec);

struct ChildExit {
  pid_t pid = 0;
  bool signalled = false;
  int code = 0;  // the exit status, or the signal's number when signalled

  bool ok() const { return !signalled && code == 0; }
};

// Waits for the child PID (retrying on interruption).
ChildExit waitForChild(pid_t pid);
// Waits for whichever child ends first.
ChildExit waitForAnyChild();

// Starts SPEC and waits for it.
ChildExit runProcess(const ProcessSpec& spec);

// The CPUs this process may run on (its affinity mask: what taskset, a cpuset, a Slurm job
// that binds its tasks to CPUs, or an MPI launcher's binding leaves it), at least 1. The
// machine's count (std::thread::hardware_concurrency) overstates it on a shared cluster node:
// 64 cores, of which the job was given 4, or one core that mpirun bound a rank to. A CPU
// quota (cgroup cpu.max, docker --cpus) is not seen.
unsigned usableCpus();

}  // namespace ej::core
