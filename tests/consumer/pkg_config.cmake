# Builds and runs the consumer program with nothing but the compiler and pkg-config, from a copy
# of the installed tree in another directory, which proves that neuroplastic.pc is relocatable.
#   cmake -DPKG_CONFIG=... [-DPKG_CONFIG_PATH=<where xsimd.pc is>] -DPREFIX=... -DWORK_DIR=...
#         -DCXX_COMPILER=... -DSOURCE=main.cpp -DEXPECT_VERSION=... -DEXPECT_XSIMD_MAJOR=...
#         -P pkg_config.cmake
cmake_minimum_required(VERSION 3.21)

if(NOT PKG_CONFIG)
  # The test's SKIP_REGULAR_EXPRESSION matches this line.
  message(STATUS "pkg-config is not installed (Debian: pkgconf): test skipped")
  return()
endif()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(COPY ${PREFIX}/ DESTINATION ${WORK_DIR}/moved)
set(ENV{PKG_CONFIG_PATH} "${WORK_DIR}/moved/share/pkgconfig:${PKG_CONFIG_PATH}:$ENV{PKG_CONFIG_PATH}")

function(query result)
  execute_process(COMMAND ${PKG_CONFIG} --print-errors ${ARGN} neuroplastic
    OUTPUT_VARIABLE output OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  set(${result} "${output}" PARENT_SCOPE)
endfunction()

query(version --modversion)
if(NOT version STREQUAL EXPECT_VERSION)
  message(FATAL_ERROR "pkg-config reports version '${version}'; expected ${EXPECT_VERSION}")
endif()

query(includedir --variable=includedir)
file(REAL_PATH ${includedir} includedir)
file(REAL_PATH ${WORK_DIR}/moved/include expected_includedir)
if(NOT includedir STREQUAL expected_includedir)
  message(FATAL_ERROR "neuroplastic.pc gives the include directory '${includedir}' for a tree "
    "moved to ${WORK_DIR}/moved; it is not relocatable")
endif()

query(requires --print-requires)
if(NOT requires MATCHES "^xsimd")
  message(FATAL_ERROR "neuroplastic.pc requires '${requires}'; expected xsimd")
endif()

query(cflags --cflags)
query(libs --libs)
separate_arguments(cflags UNIX_COMMAND "${cflags}")
separate_arguments(libs UNIX_COMMAND "${libs}")
message(STATUS "pkg-config --cflags --libs neuroplastic: ${cflags} ${libs}")
execute_process(
  COMMAND ${CXX_COMPILER} -std=c++20 ${cflags} -DNEUROPLASTIC_EXPECT_XSIMD_MAJOR=${EXPECT_XSIMD_MAJOR}
    ${SOURCE} -o ${WORK_DIR}/consumer ${libs}
  COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${WORK_DIR}/consumer COMMAND_ERROR_IS_FATAL ANY)
