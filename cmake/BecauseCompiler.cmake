# Compiler setup: ccache (with precompiled-header friendly sloppiness), warnings and sanitizers
# as INTERFACE targets that every project target links.
if(BECAUSE_USE_CCACHE)
  find_program(CCACHE_PROGRAM ccache)
  if(CCACHE_PROGRAM)
    set(_launcher ${CMAKE_COMMAND} -E env
        "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        ${CCACHE_PROGRAM})
    set(CMAKE_C_COMPILER_LAUNCHER ${_launcher})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${_launcher})
    message(STATUS "because: compiling through ${CCACHE_PROGRAM}")
  endif()
endif()

add_library(because_warnings INTERFACE)
target_compile_options(because_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)

set(BECAUSE_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")
add_library(because_sanitizers INTERFACE)
if(BECAUSE_SANITIZE)
  target_compile_options(because_sanitizers INTERFACE -fsanitize=${BECAUSE_SANITIZE} -fno-omit-frame-pointer)
  target_link_options(because_sanitizers INTERFACE -fsanitize=${BECAUSE_SANITIZE})
endif()

add_library(because_options INTERFACE)
target_link_libraries(because_options INTERFACE because_warnings because_sanitizers)
# The C++ MPI bindings are deprecated and unused; skip them (Open MPI and MPICH spellings).
target_compile_definitions(because_options INTERFACE OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)
target_include_directories(because_options INTERFACE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})
