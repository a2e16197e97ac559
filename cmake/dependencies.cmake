# The dependencies of this project's own build. The installed package finds the library's own
# (xsimd, threads) in neuroplasticConfig.cmake; both share neuroplastic-xsimd.cmake.
if(NEUROPLASTIC_STAGE_HEADERS_FROM)
  # A cross build (cmake/toolchains/): the header-only dependencies are copied into the build tree
  # and used from there, since the host's include directory must not reach the cross compiler.
  set(NEUROPLASTIC_STAGED_INCLUDE ${CMAKE_BINARY_DIR}/staged-include)
  file(COPY ${NEUROPLASTIC_STAGE_HEADERS_FROM}/xsimd DESTINATION ${NEUROPLASTIC_STAGED_INCLUDE})
  if(EXISTS ${NEUROPLASTIC_STAGE_HEADERS_FROM}/catch2/catch.hpp)
    file(COPY ${NEUROPLASTIC_STAGE_HEADERS_FROM}/catch2 DESTINATION ${NEUROPLASTIC_STAGED_INCLUDE})
  endif()
  add_library(xsimd INTERFACE IMPORTED)
  set_target_properties(xsimd PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${NEUROPLASTIC_STAGED_INCLUDE})
  file(STRINGS ${NEUROPLASTIC_STAGED_INCLUDE}/xsimd/config/xsimd_config.hpp xsimd_version_lines
    REGEX "#define XSIMD_VERSION_(MAJOR|MINOR|PATCH) ")
  string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*PATCH ([0-9]+).*" "\\1.\\2.\\3"
    xsimd_VERSION "${xsimd_version_lines}")
  message(STATUS "neuroplastic uses xsimd ${xsimd_VERSION} staged from ${NEUROPLASTIC_STAGE_HEADERS_FROM}")
else()
  find_package(xsimd CONFIG REQUIRED)
  include(${CMAKE_CURRENT_LIST_DIR}/neuroplastic-xsimd.cmake)
  if(neuroplastic_xsimd_error)
    message(FATAL_ERROR "${neuroplastic_xsimd_error}")
  endif()
  message(STATUS "neuroplastic uses xsimd ${xsimd_VERSION} from ${xsimd_DIR}")
endif()

# The thread pool (core/thread_pool.hpp) runs on std::thread.
find_package(Threads REQUIRED)

# zlib reads the .gz files of the IDX data sets (data/idx.hpp), which the tests and the examples
# and the IDX fuzz target use; the library itself does not, so a build of the library alone does
# not look for it. A cross build without the target's zlib leaves out the IDX tests and the
# examples.
if(PROJECT_IS_TOP_LEVEL AND (NEUROPLASTIC_BUILD_TESTS OR NEUROPLASTIC_BUILD_EXAMPLES
                             OR NEUROPLASTIC_FUZZ))
  if(CMAKE_CROSSCOMPILING)
    find_package(ZLIB)
  else()
    find_package(ZLIB REQUIRED)
  endif()
endif()
