# xsimd: Debian 12 ships 8.1, current releases are 13 and 14. Its version file accepts only its own
# major version, so it is found without one and the version is checked here.
find_package(xsimd CONFIG REQUIRED)
if(DEFINED xsimd_VERSION AND xsimd_VERSION VERSION_LESS 8.1)
  message(FATAL_ERROR "neuroplastic needs xsimd 8.1 or newer; found ${xsimd_VERSION}")
endif()

# Debian's xsimd 8.1 names a link dependency `xtl` without finding it; without a target of that
# name a consumer fails to link with `cannot find -lxtl`. xtl is header-only and xsimd 8.1 does
# not need it for anything neuroplastic uses, so an empty target stands in when xtl-dev is absent.
if(NOT TARGET xtl)
  find_package(xtl CONFIG QUIET)
  if(NOT TARGET xtl)
    add_library(xtl INTERFACE IMPORTED)
  endif()
endif()

# zlib reads the .gz files of the IDX data sets (data/idx.hpp). Only that header needs it.
find_package(ZLIB)
