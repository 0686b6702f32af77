// SystemC's scratch heap, left unwritten.
//
// libsystemc's static initialiser (SystemC 2.3.4, sc_concatref.cpp) builds
// `sc_core::sc_temp_heap`, a 3 MiB heap for the temporaries of concatenated sc_int and
// sc_bigint expressions, which edgejoule never forms. sc_byte_heap::initialize() (sysc/utils/
// sc_temporary.h) allocates it with `new char[n]` and zeroes it at once with `memset`. Writing
// 3 MiB of fresh memory faults in its 768 pages: 764 of a seed-year process's 1,540 page faults,
// and about 10 ms of its 39 ms on a 2-core PVM guest, where every fault traps to the hypervisor
// (perf stat -r 20 of the seed year, interleaved: 38.1-40.3 ms as before, 28.5-29.7 ms with the
// memset skipped by an LD_PRELOAD shim, 29.6-30.8 ms with this file; tests/bench/README.md,
// tenth pass).
//
// This program replaces `operator new[]` (as the C++ standard allows a program to) and exports a
// `memset`, to which the shared libraries (and SystemC's own code, when it is linked statically)
// bind ahead of the C library's:
//   - the first array of at least 1 MiB that SystemC allocates is mapped straight from the
//     kernel (mmap), whose pages read as zero until written;
//   - if the very next memset of the process is SystemC's, zeroing exactly that array, it has
//     nothing to do and is skipped, so the pages stay unwritten. Every other memset, and that
//     one in any other case, is the C library's.
// The caller is told by the library that holds the return address (dladdr). The array is freed
// by munmap; every other array goes through the default operator new and delete. Results are the
// same either way: only the unwritten pages differ. tests/cli/scratch_heap_test.cc checks both.
// Not built under the sanitizers, which intercept memset and operator new[] themselves.
#include <dlfcn.h>
#include <sys/mman.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <new>

namespace {

constexpr std::size_t kMinMapped = std::size_t{1} << 20;

// The mapped array: claimed once, by libsystemc's first new[] of at least kMinMapped bytes.
std::atomic<bool> gClaimed{false};
std::atomic<void*> gMapped{nullptr};
std::size_t gMappedBytes = 0;
// Set while the mapped array is known to be all zero and no memset has run since its new[].
std::atomic<void*> gUntouched{nullptr};

using MemsetFn = void* (*)(void*, int, std::size_t);

// The C library's memset. dlsym and dladdr are the C library's own code: their internal zeroing
// does not call back into the memset below.
MemsetFn libcMemset() {
  static std::atomic<MemsetFn> fn{nullptr};
  MemsetFn f = fn.load(std::memory_order_acquire);
  if (f == nullptr) {
    f = reinterpret_cast<MemsetFn>(::dlsym(RTLD_NEXT, "memset"));
    fn.store(f, std::memory_order_release);
  }
  return f;
}

// Whether CODE (a return address) lies in SystemC: in libsystemc, or, where SystemC is linked
// statically (EJ_SYSTEMC_STATIC), in this program itself. In that case the first array of at
// least 1 MiB that the program allocates is SystemC's still: its static initialiser runs
// before main(), and none of the program's own allocates such an array.
bool inSystemC(const void* code) {
  Dl_info info{};
  if (::dladdr(code, &info) == 0) return false;
#ifdef EJ_SYSTEMC_STATIC
  Dl_info self{};
  if (::dladdr(reinterpret_cast<const void*>(&inSystemC), &self) != 0 &&
      info.dli_fbase == self.dli_fbase) {
    return true;
  }
#endif
  return info.dli_fname != nullptr && std::strstr(info.dli_fname, "/libsystemc") != nullptr;
}

}  // namespace

extern "C" void* memset(void* dst, int value, std::size_t bytes) {
  if (gUntouched.load(std::memory_order_relaxed) != nullptr) {
    void* const fresh = gUntouched.exchange(nullptr, std::memory_order_relaxed);
    if (value == 0 && dst == fresh && bytes == gMappedBytes &&
        inSystemC(__builtin_return_address(0))) {
      return dst;
    }
  }
  return libcMemset()(dst, value, bytes);
}

void* operator new[](std::size_t bytes) {
  if (bytes >= kMinMapped && !gClaimed.load(std::memory_order_relaxed) &&
      inSystemC(__builtin_return_address(0)) &&
      !gClaimed.exchange(true, std::memory_order_relaxed)) {
    void* const p =
        ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      gMappedBytes = bytes;
      gMapped.store(p, std::memory_order_release);
      gUntouched.store(p, std::memory_order_relaxed);
      return p;
    }
  }
  return ::operator new(bytes);
}

void operator delete[](void* p) noexcept {
  if (p != nullptr && p == gMapped.load(std::memory_order_acquire)) {
    gUntouched.store(nullptr, std::memory_order_relaxed);
    gMapped.store(nullptr, std::memory_order_relaxed);
    ::munmap(p, gMappedBytes);
    return;
  }
  ::operator delete(p);
}

void operator delete[](void* p, std::size_t) noexcept { operator delete[](p); }
