# The dependencies of this project's own build. The installed package finds the library's own
# (xsimd, threads) in neuroplasticConfig.cmake; both share neuroplastic-xsimd.cmake.
find_package(xsimd CONFIG REQUIRED)
include(${CMAKE_CURRENT_LIST_DIR}/neuroplastic-xsimd.cmake)
if(neuroplastic_xsimd_error)
  message(FATAL_ERROR "${neuroplastic_xsimd_error}")
endif()
message(STATUS "neuroplastic uses xsimd ${xsimd_VERSION} from ${xsimd_DIR}")

# The thread pool (core/thread_pool.hpp) runs on std::thread.
find_package(Threads REQUIRED)

# zlib reads the .gz files of the IDX data sets (data/idx.hpp), which the tests and the examples
# use; the library itself does not, so a build of the library alone does not look for it.
if(PROJECT_IS_TOP_LEVEL AND (NEUROPLASTIC_BUILD_TESTS OR NEUROPLASTIC_BUILD_EXAMPLES))
  find_package(ZLIB REQUIRED)
endif()
