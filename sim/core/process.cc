// startProcess with Boost.Process; waiting with waitpid, so that a parent can wait for any of
// several children (Boost.Process 1.74 waits for one named child only).
#include "sim/core/process.h"

#include <fmt/format.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace ej::core {
namespace bp = boost::process;

namespace {

// Run in the child between fork and exec: ties it to the parent's life. If the parent died
// already (the child was re-parented), the child ends at once.
struct DieWithParent : bp::extend::handler {
  pid_t parent;
  template <typename Executor>
  void on_exec_setup(Executor&) const {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
  }
};

std::string sink(const std::filesystem::path& file) {
  return file.empty() ? std::string("/dev/null") : file.string();
}

ChildExit decode(pid_t pid, int status) {
  if (WIFSIGNALED(status)) return {pid, true, WTERMSIG(status)};
  return {pid, false, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

}  // namespace

pid_t startProcess(const ProcessSpec& spec) {
  boost::filesystem::path exe = spec.program;
  if (spec.program.find('/') == std::string::npos) exe = bp::search_path(spec.program);
  if (exe.empty()) throw std::runtime_error(fmt::format("{}: not found on the PATH", spec.program));
  const std::string dir = spec.workDir.empty() ? std::string(".") : spec.workDir.string();
  std::error_code ec;
  bp::child child;
  if (spec.dieWithParent) {
    child = bp::child(exe, bp::args(spec.args), bp::start_dir(dir),
                      bp::std_out > sink(spec.stdoutTo), bp::std_err > sink(spec.stderrTo),
                      bp::std_in < bp::null, DieWithParent{{}, getpid()}, ec);
  } else {
    child =
        bp::child(exe, bp::args(spec.args), bp::start_dir(dir), bp::std_out > sink(spec.stdoutTo),
                  bp::std_err > sink(spec.stderrTo), bp::std_in < bp::null, ec);
  }
  if (ec) throw std::runtime_error(fmt::format("cannot start {}: {}", spec.program, ec.message()));
  const pid_t pid = child.id();
  child.detach();  // waited for by pid below
  return pid;
}

ChildExit waitForChild(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw std::runtime_error(fmt::format("waiting for a child: {}", strerror(errno)));
  }
  return decode(pid, status);
}

ChildExit waitForAnyChild() {
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, 0)) < 0) {
    if (errno != EINTR)
      throw std::runtime_error(fmt::format("waiting for a child: {}", strerror(errno)));
  }
  return decode(pid, status);
}

ChildExit runProcess(const ProcessSpec& spec) { return waitForChild(startProcess(spec)); }

unsigned usableCpus() {
  // A set as large as the kernel's CPU numbers: sched_getaffinity refuses (EINVAL) a smaller
  // one, as the fixed cpu_set_t (1,024 CPUs) is on a larger machine.
  for (int cpus = CPU_SETSIZE; cpus <= (1 << 20); cpus *= 2) {
    cpu_set_t* set = CPU_ALLOC(cpus);
    if (set == nullptr) break;
    const std::size_t bytes = CPU_ALLOC_SIZE(cpus);
    CPU_ZERO_S(bytes, set);
    const int rc = sched_getaffinity(0, bytes, set);
    const int error = errno;
    const int count = rc == 0 ? CPU_COUNT_S(bytes, set) : 0;
    CPU_FREE(set);
    if (count > 0) return static_cast<unsigned>(count);
    if (rc == 0 || error != EINVAL) break;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace ej::core
