# Test registration helpers. Labels: unit, mpi, integration, slurm, bench.
#   because_add_unit_test(NAME SOURCES a.cpp b.cpp LIBS lib... [LABELS extra] [TIMEOUT s])
#   because_add_mpi_test(NAME SOURCES ... LIBS ... NP 1 2 3 [TIMEOUT s] [MPIEXEC_FLAGS flag...])
#     builds one executable with the shared MPI gtest main and registers NAME_npN for each N;
#     MPIEXEC_FLAGS are added to mpiexec's (e.g. --bind-to none for a test that runs threads).
#   because_add_script_test(NAME COMMAND ... LABELS ... [TIMEOUT s])
set(BECAUSE_MPIEXEC_FLAGS ${MPIEXEC_PREFLAGS})
execute_process(COMMAND id -u OUTPUT_VARIABLE _uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(_uid STREQUAL "0")
  list(APPEND BECAUSE_MPIEXEC_FLAGS --allow-run-as-root --oversubscribe)
endif()
# Root-safe mpiexec prefix for tests and scripts: mpiexec -n N <flags>.
set(BECAUSE_MPIEXEC ${MPIEXEC_EXECUTABLE} CACHE FILEPATH "mpiexec used by the tests")

# ';'-separated for the scripts; escaped so that the ENVIRONMENT test property keeps it one entry.
string(REPLACE ";" "\\;" BECAUSE_MPIEXEC_FLAGS_ENV "${BECAUSE_MPIEXEC_FLAGS}")

set(BECAUSE_SHARED_DIR "${PROJECT_SOURCE_DIR}/../shared" CACHE PATH
    "Directory with real corpora and models for tests (skipped when absent)")

function(because_add_unit_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_LIBS} GTest::gtest GTest::gtest_main because_options)
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "unit;${A_LABELS}" TIMEOUT ${A_TIMEOUT}
    ENVIRONMENT "BECAUSE_SHARED=${BECAUSE_SHARED_DIR};BECAUSE_SOURCE_DIR=${PROJECT_SOURCE_DIR};BECAUSE_BINARY_DIR=${PROJECT_BINARY_DIR};OMP_NUM_THREADS=1"
    FAIL_REGULAR_EXPRESSION "HDF5-DIAG")
endfunction()

function(because_add_mpi_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;LIBS;NP;LABELS;MPIEXEC_FLAGS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_link_libraries(${name} PRIVATE ${A_LIBS} because_mpi_gtest_main because_options)
  if(NOT A_NP)
    set(A_NP 1 2 3)
  endif()
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  foreach(np IN LISTS A_NP)
    add_test(NAME ${name}_np${np}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np} ${BECAUSE_MPIEXEC_FLAGS}
                     ${A_MPIEXEC_FLAGS} $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${name}_np${np} PROPERTIES LABELS "mpi;${A_LABELS}" PROCESSORS ${np}
      TIMEOUT ${A_TIMEOUT}
      ENVIRONMENT "BECAUSE_SHARED=${BECAUSE_SHARED_DIR};BECAUSE_SOURCE_DIR=${PROJECT_SOURCE_DIR};BECAUSE_BINARY_DIR=${PROJECT_BINARY_DIR};OMP_NUM_THREADS=1"
      FAIL_REGULAR_EXPRESSION "HDF5-DIAG")
  endforeach()
endfunction()

function(because_add_script_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 600)
  endif()
  add_test(NAME ${name} COMMAND ${A_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS "${A_LABELS}" TIMEOUT ${A_TIMEOUT}
    ENVIRONMENT "BECAUSE_SHARED=${BECAUSE_SHARED_DIR};BECAUSE_SOURCE_DIR=${PROJECT_SOURCE_DIR};BECAUSE_BINARY_DIR=${PROJECT_BINARY_DIR};BECAUSE_EXE=$<TARGET_FILE:because>;BECAUSE_MPIEXEC=${MPIEXEC_EXECUTABLE};BECAUSE_MPIEXEC_FLAGS=${BECAUSE_MPIEXEC_FLAGS_ENV};OMP_NUM_THREADS=1"
    FAIL_REGULAR_EXPRESSION "HDF5-DIAG")
endfunction()

# The includes of one file: `quoted` (the "..." paths) and `torch` (TRUE when it includes a
# libtorch header other than torch/version.h, which holds a few macros only).
function(_because_includes file quoted torch)
  file(STRINGS ${file} _inc REGEX "^#include [\"<]")
  list(FILTER _inc EXCLUDE REGEX "<torch/version.h>")
  string(REGEX MATCHALL "\"[^\"]+\"" _q "${_inc}")
  string(REPLACE "\"" "" _q "${_q}")
  set(${quoted} "${_q}" PARENT_SCOPE)
  if(_inc MATCHES "#include <(torch|ATen|c10)/")
    set(${torch} TRUE PARENT_SCOPE)
  else()
    set(${torch} FALSE PARENT_SCOPE)
  endif()
endfunction()

# Project headers that bring in libtorch, directly or through other project headers (keys as
# they are included: "model/decoder.h" for src/model/decoder.h, "mpi/torch/..." for mpi/).
# Computed once per configure.
function(_because_torch_headers out)
  get_property(_done GLOBAL PROPERTY BECAUSE_TORCH_HEADERS_DONE)
  if(_done)
    get_property(_set GLOBAL PROPERTY BECAUSE_TORCH_HEADERS)
    set(${out} "${_set}" PARENT_SCOPE)
    return()
  endif()
  file(GLOB_RECURSE _hdrs ${PROJECT_SOURCE_DIR}/src/*.h ${PROJECT_SOURCE_DIR}/mpi/*.h)
  set(_set "")
  set(_keys "")
  foreach(h IN LISTS _hdrs)
    file(RELATIVE_PATH _k ${PROJECT_SOURCE_DIR} ${h})
    string(REGEX REPLACE "^src/" "" _k "${_k}")
    list(APPEND _keys ${_k})
    _because_includes(${h} _q _torch)
    set(_inc_${_k} "${_q}")
    if(_torch)
      list(APPEND _set ${_k})
    endif()
  endforeach()
  set(_changed TRUE)
  while(_changed)
    set(_changed FALSE)
    foreach(_k IN LISTS _keys)
      if(NOT _k IN_LIST _set)
        foreach(_i IN LISTS _inc_${_k})
          if(_i IN_LIST _set)
            list(APPEND _set ${_k})
            set(_changed TRUE)
            break()
          endif()
        endforeach()
      endif()
    endforeach()
  endwhile()
  set_property(GLOBAL PROPERTY BECAUSE_TORCH_HEADERS "${_set}")
  set_property(GLOBAL PROPERTY BECAUSE_TORCH_HEADERS_DONE TRUE)
  set(${out} "${_set}" PARENT_SCOPE)
endfunction()

# Torch translation units share one precompiled header (torch/torch.h costs ~30 s per TU). The
# header is ~700 MB: loading it costs ~15 s, so the sources of the target that do not reach
# libtorch (no torch include, directly or through project headers) are compiled without it.
function(because_use_torch_pch target)
  if(NOT TARGET because_torch_pch)
    add_library(because_torch_pch STATIC ${PROJECT_SOURCE_DIR}/cmake/torch_pch.cpp)
    target_link_libraries(because_torch_pch PUBLIC because_torch because_options)
    target_precompile_headers(because_torch_pch PRIVATE <torch/torch.h>)
    set_target_properties(because_torch_pch PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
  target_precompile_headers(${target} REUSE_FROM because_torch_pch)
  _because_torch_headers(_torch_headers)
  get_target_property(_srcs ${target} SOURCES)
  get_target_property(_dir ${target} SOURCE_DIR)
  foreach(_s IN LISTS _srcs)
    get_filename_component(_abs ${_s} ABSOLUTE BASE_DIR ${_dir})
    if(NOT _abs MATCHES "\\.cpp$" OR NOT EXISTS ${_abs})
      continue()
    endif()
    _because_includes(${_abs} _q _needs)
    if(NOT _needs)
      foreach(_i IN LISTS _q)
        if(_i IN_LIST _torch_headers)
          set(_needs TRUE)
          break()
        endif()
      endforeach()
    endif()
    if(NOT _needs)
      set_source_files_properties(${_abs} TARGET_DIRECTORY ${target} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
  # GCC takes a precompiled header only with the same -fPIC/-fPIE setting it was built with
  # (otherwise it warns and parses torch/torch.h in full, ~30 s per translation unit). The
  # header is built -fPIC (the layers are static libraries linked into tests and the program);
  # an executable's own sources get -fPIC too and still link as a position-independent executable.
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "EXECUTABLE")
    target_compile_options(${target} PRIVATE -fPIC)
  else()
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
endfunction()
