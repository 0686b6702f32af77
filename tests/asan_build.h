// What a test needs to know about a build under AddressSanitizer (the asan preset).
#pragma once

#include <regex>
#include <string>

// True in a build under AddressSanitizer (the asan preset: clang; gcc defines the macro).
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EJ_TEST_UNDER_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(EJ_TEST_UNDER_ASAN)
#define EJ_TEST_UNDER_ASAN 1
#endif

// TEXT without ASan's three-line warning that it skipped unpoisoning a stack, in an ASan build
// only (elsewhere TEXT unchanged). When a part throws inside an SC_THREAD, SystemC ends that
// thread and its QuickThreads coroutine returns to the main stack without telling ASan
// (Debian's libsystemc 2.3.4 calls __sanitizer_start/finish_switch_fiber in yield, not in
// sc_cor_pkg_qt::abort); the next throw, in sc_start, reaches ASan's __asan_handle_no_return
// with the ended coroutine's stack as current, and ASan (compiler-rt 14, UnpoisonStack in
// asan_rtl.cpp) prints this once per process, unconditionally: no ASAN_OPTIONS flag silences
// it but log_path, which would divert every report. tools/sanitizers/README.md, item 1. Only
// stack type `default` (what this switch gives) is removed; any other text, an ASan error
// report included, stays and fails the test.
inline std::string withoutAsanStackSwitchWarning(const std::string& text) {
#ifdef EJ_TEST_UNDER_ASAN
  static const std::regex warning(
      "==[0-9]+==WARNING: ASan is ignoring requested __asan_handle_no_return: stack type: "
      "default top: 0x[0-9a-f]+; bottom 0x[0-9a-f]+; size: 0x[0-9a-f]+ \\(-?[0-9]+\\)\n"
      "False positive error reports may follow\n"
      "For details see https://github\\.com/google/sanitizers/issues/189\n");
  return std::regex_replace(text, warning, "", std::regex_constants::format_first_only);
#else
  return text;
#endif
}
