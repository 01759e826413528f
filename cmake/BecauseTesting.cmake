# Test registration helpers. Labels: unit, mpi, integration, slurm, bench.
#   because_add_unit_test(NAME SOURCES a.cpp b.cpp LIBS lib... [LABELS extra] [TIMEOUT s])
#   because_add_mpi_test(NAME SOURCES ... LIBS ... NP 1 2 3 [TIMEOUT s])
#     builds one executable with the shared MPI gtest main and registers NAME_npN for each N.
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
  cmake_parse_arguments(A "" "TIMEOUT" "SOURCES;LIBS;NP;LABELS" ${ARGN})
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
                     $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
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

# Torch translation units share one precompiled header (torch/torch.h costs ~30 s per TU).
function(because_use_torch_pch target)
  if(NOT TARGET because_torch_pch)
    add_library(because_torch_pch STATIC ${PROJECT_SOURCE_DIR}/cmake/torch_pch.cpp)
    target_link_libraries(because_torch_pch PUBLIC because_torch because_options)
    target_precompile_headers(because_torch_pch PRIVATE <torch/torch.h>)
    set_target_properties(because_torch_pch PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
  target_precompile_headers(${target} REUSE_FROM because_torch_pch)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()
