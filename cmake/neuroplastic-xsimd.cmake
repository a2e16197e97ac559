# What every route into neuroplastic does after find_package(xsimd): this project's own build
# (cmake/dependencies.cmake) and the installed package (neuroplasticConfig.cmake) both include it.
# On return, neuroplastic_xsimd_error is empty if the xsimd found can be used, or else says why.
#
# Two facts about the xsimd packages that exist (Debian, vcpkg, Conan) shape it:
# - Their version file accepts only its own major version, so find_package(xsimd 8.1) refuses
#   xsimd 13 and 14. xsimd is therefore found without a version and xsimd_VERSION checked here.
# - Debian 12's xsimd 8.1 names a link dependency `xtl` without finding it, so a consumer fails
#   to link with "cannot find -lxtl" unless something defines a target of that name. The real
#   one (Debian: xtl-dev) is used when it is installed; xsimd 8.1 needs nothing from it for what
#   neuroplastic uses, so an empty target stands in otherwise. This goes when xsimd 8 does.

set(neuroplastic_xsimd_error "")
if(NOT TARGET xsimd)
  set(neuroplastic_xsimd_error
    "the xsimd package found in '${xsimd_DIR}' defines no target named xsimd")
elseif(DEFINED xsimd_VERSION AND xsimd_VERSION VERSION_LESS 8.1)
  set(neuroplastic_xsimd_error
    "neuroplastic needs xsimd 8.1 or newer; found ${xsimd_VERSION} in '${xsimd_DIR}'")
endif()

if(NOT neuroplastic_xsimd_error AND NOT TARGET xtl)
  get_target_property(neuroplastic_xsimd_links xsimd INTERFACE_LINK_LIBRARIES)
  if("xtl" IN_LIST neuroplastic_xsimd_links)
    find_package(xtl CONFIG QUIET)
    if(NOT TARGET xtl)
      add_library(xtl INTERFACE IMPORTED)
    endif()
  endif()
  unset(neuroplastic_xsimd_links)
endif()
