# Helpers shared by every sim/ library and test: one warning set, one line per test.

# ej_warnings(target): the project's warning flags, private to the target.
function(ej_warnings target)
  # -Wshadow=local is gcc's (clang, used by the asan preset, does not know it).
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
                                           $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
                                           $<$<BOOL:${EJ_WERROR}>:-Werror>)
endfunction()

# ej_library(name SOURCES ... [DEPS ...]): the library ej_<name> with alias ej::<name>,
# its headers included as "sim/<folder>/file.h" from the source root.
function(ej_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(ej_${name} STATIC ${ARG_SOURCES})
  add_library(ej::${name} ALIAS ej_${name})
  target_include_directories(ej_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(ej_${name} PUBLIC ${ARG_DEPS})
  ej_warnings(ej_${name})
endfunction()

# ej_test(name SOURCES ... [DEPS ...] [SYSTEMC]): one GoogleTest executable; every TEST
# becomes its own ctest entry, so each runs in a fresh process (the SystemC kernel cannot
# be restarted within one). SYSTEMC tests get a main that enters through sc_main.
function(ej_test name)
  cmake_parse_arguments(ARG "SYSTEMC" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  if(ARG_SYSTEMC)
    target_link_libraries(${name} PRIVATE ej_test_sc_main GTest::gtest ${ARG_DEPS})
  else()
    target_link_libraries(${name} PRIVATE GTest::gtest_main ${ARG_DEPS})
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/no_sc_main.cc)
  endif()
  target_compile_definitions(${name} PRIVATE EJ_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})  # tests/*.h
  ej_warnings(${name})
  gtest_discover_tests(${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                       DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
endfunction()

# ej_plugin(target NAME stem FOR library DEFINE macro SOURCES ... DEPS ...): lib<stem>.so, a
# plugin that LIBRARY loads with dlopen (core::PluginFunction) only when a command needs it,
# so that no other command loads its dependencies. Built beside the programs, which look for
# it there first; LIBRARY is given its built path as MACRO. Only its entry points are visible,
# and every symbol is resolved when it is linked (a dependency on the program, which exports
# nothing, fails the build rather than the dlopen), but under the sanitizers, whose runtimes
# are the program's.
function(ej_plugin target)
  cmake_parse_arguments(ARG "" "NAME;FOR;DEFINE" "SOURCES;DEPS" ${ARGN})
  add_library(${target} MODULE ${ARG_SOURCES})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${ARG_NAME} PREFIX lib
                        LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}
                        CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  if(NOT EJ_SANITIZED)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  ej_warnings(${target})
  target_compile_definitions(${ARG_FOR} PRIVATE ${ARG_DEFINE}="$<TARGET_FILE:${target}>")
  add_dependencies(${ARG_FOR} ${target})
endfunction()
