// sim/cli/systemc_scratch_heap.cc, linked into this test as into edgejoule-commands: SystemC's
// 3 MiB scratch heap is left unwritten (its pages never faulted in) yet reads as zero and serves
// allocations, and every other memset zeroes what it is asked to.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <systemc>
#include <vector>

namespace {

// The pages of [P, P + BYTES) that are resident (P page-aligned).
std::size_t residentPages(const void* p, std::size_t bytes) {
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in((bytes + page - 1) / page);
  if (::mincore(const_cast<void*>(p), bytes, in.data()) != 0) return in.size() + 1;
  std::size_t n = 0;
  for (const unsigned char c : in) n += c & 1u;
  return n;
}

// memset through a pointer the compiler cannot see through, so the call is made.
void* (*volatile callMemset)(void*, int, std::size_t) = &std::memset;

TEST(ScratchHeapTest, SystemCsHeapIsLeftUnwrittenAndReadsAsZero) {
  sc_core::sc_byte_heap& heap = sc_core::sc_temp_heap;
  // SystemC 2.3.4's size (sc_concatref.cpp).
  ASSERT_EQ(heap.length(), std::size_t{0x300000});
  // None of its 768 pages was written: the memset was skipped. (Reading them below maps the
  // kernel's shared zero page, which is not counted as resident either way.)
  EXPECT_EQ(residentPages(heap.m_bgn_p, heap.length()), 0u);
  for (std::size_t at : {std::size_t{0}, heap.length() / 2, heap.length() - 1}) {
    EXPECT_EQ(heap.m_bgn_p[at], 0) << "byte " << at;
  }
  // It serves allocations as before: writable memory inside the heap.
  char* const p = heap.allocate(64);
  ASSERT_GE(p, heap.m_bgn_p);
  ASSERT_LE(p + 64, heap.m_end_p);
  callMemset(p, 0x5A, 64);
  EXPECT_EQ(p[63], 0x5A);
  callMemset(p, 0, 64);
  EXPECT_EQ(p[63], 0);
}

TEST(ScratchHeapTest, OtherLargeArraysAreZeroedAsAsked) {
  // The case a skipped memset would get wrong: a large array written, then zeroed.
  constexpr std::size_t kBytes = std::size_t{3} << 20;
  const std::unique_ptr<char[]> a(new char[kBytes]);
  callMemset(a.get(), 0x11, kBytes);
  a[kBytes / 2] = 7;
  callMemset(a.get(), 0, kBytes);
  EXPECT_EQ(a[0], 0);
  EXPECT_EQ(a[kBytes / 2], 0);
  EXPECT_EQ(a[kBytes - 1], 0);
}

}  // namespace
