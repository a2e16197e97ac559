# An overlay port that packages the checkout it lives in (ports/neuroplastic/ of the repository),
# for `vcpkg install --overlay-ports=ports neuroplastic` or a manifest that names this folder.
# vcpkg rebuilds a port when the port's files change, not the sources: after changing those,
# `vcpkg remove neuroplastic`. A port for a registry would fetch a release with
# vcpkg_from_github instead.
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

set(VCPKG_BUILD_TYPE release) # header-only port

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DNEUROPLASTIC_BUILD_TESTS=OFF
        -DNEUROPLASTIC_BUILD_EXAMPLES=OFF
        -DNEUROPLASTIC_BUILD_BENCHMARKS=OFF
        -DNEUROPLASTIC_INSTALL_CMAKEDIR=share/${PORT}
)

vcpkg_cmake_install()
vcpkg_cmake_config_fixup()
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug" "${CURRENT_PACKAGES_DIR}/lib")

file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
