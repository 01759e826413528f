# Every external dependency, found once and exposed as a target.
# A CUDA libtorch is used by passing -DCMAKE_PREFIX_PATH=<libtorch>/share/cmake (or torch's
# python package `torch/share/cmake`); nothing here assumes a CPU-only build.

find_package(MPI REQUIRED COMPONENTS C)

set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "because needs a parallel (MPI) HDF5, but the HDF5 found at '${HDF5_C_INCLUDE_DIRS}' is serial.\n"
    "On Debian/Ubuntu: apt-get install libhdf5-openmpi-dev (scripts/install-deps.sh does this).\n"
    "On a cluster: load the parallel HDF5 module built against the same MPI, or pass -DHDF5_ROOT=...")
endif()
add_library(because_hdf5 INTERFACE)
target_include_directories(because_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS})
target_link_libraries(because_hdf5 INTERFACE ${HDF5_C_LIBRARIES} MPI::MPI_C)
target_compile_definitions(because_hdf5 INTERFACE ${HDF5_C_DEFINITIONS} H5_USE_110_API)

find_package(Torch REQUIRED)
add_library(because_torch INTERFACE)
target_link_libraries(because_torch INTERFACE ${TORCH_LIBRARIES})
target_include_directories(because_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
# Torch's flags carry the C++ ABI setting; every target must agree on it.
separate_arguments(_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
foreach(_f IN LISTS _torch_flags)
  if(_f MATCHES "^-D_GLIBCXX_USE_CXX11_ABI=")
    add_compile_options(${_f})
  endif()
endforeach()

find_package(Boost 1.71 REQUIRED COMPONENTS program_options)
find_package(GTest REQUIRED)
find_package(nlohmann_json 3.9 REQUIRED)
find_package(simdjson REQUIRED)
find_package(Threads REQUIRED)

find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
# Chunk compression filters of the store (src/store/filters.cpp): deflate on libdeflate, zstd.
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
find_package(CURL REQUIRED)
find_path(HTTPLIB_INCLUDE_DIR httplib.h REQUIRED)
add_library(because_httplib INTERFACE)
target_include_directories(because_httplib SYSTEM INTERFACE ${HTTPLIB_INCLUDE_DIR})
# Debian builds cpp-httplib as a header plus libcpp-httplib.so (compiled mode).
find_library(HTTPLIB_LIBRARY NAMES cpp-httplib)
if(HTTPLIB_LIBRARY)
  target_link_libraries(because_httplib INTERFACE ${HTTPLIB_LIBRARY})
endif()
target_link_libraries(because_httplib INTERFACE Threads::Threads)


# Describe the versions for `because --version`.
execute_process(COMMAND git -C ${PROJECT_SOURCE_DIR} rev-parse --short=12 HEAD
                OUTPUT_VARIABLE BECAUSE_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT BECAUSE_GIT_REVISION)
  set(BECAUSE_GIT_REVISION "unknown")
endif()
