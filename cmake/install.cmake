# Install rules: the headers, the exported target neuroplastic::neuroplastic with its CMake
# package (config, version and target files) and a pkg-config file. The library is header-only,
# so everything goes below include/ and share/: one installed tree serves every architecture.
include(CMakePackageConfigHelpers)

set(NEUROPLASTIC_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/neuroplastic" CACHE STRING
  "Where the CMake package files go, relative to the prefix (vcpkg wants share/neuroplastic)")
set(NEUROPLASTIC_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig" CACHE STRING
  "Where neuroplastic.pc goes, relative to the prefix")

install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")

install(TARGETS neuroplastic EXPORT neuroplasticTargets)
install(EXPORT neuroplasticTargets
  NAMESPACE neuroplastic::
  DESTINATION ${NEUROPLASTIC_INSTALL_CMAKEDIR})

configure_package_config_file(cmake/neuroplasticConfig.cmake.in
  ${PROJECT_BINARY_DIR}/neuroplasticConfig.cmake
  INSTALL_DESTINATION ${NEUROPLASTIC_INSTALL_CMAKEDIR})
# Minor versions may break the interface while the major version is 0.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/neuroplasticConfigVersion.cmake
  COMPATIBILITY SameMinorVersion
  ARCH_INDEPENDENT)
install(FILES
    ${PROJECT_BINARY_DIR}/neuroplasticConfig.cmake
    ${PROJECT_BINARY_DIR}/neuroplasticConfigVersion.cmake
    cmake/neuroplastic-xsimd.cmake
  DESTINATION ${NEUROPLASTIC_INSTALL_CMAKEDIR})

# The .pc file finds the prefix from its own place (${pcfiledir}), so the installed tree can be
# moved. An absolute directory setting pins the path instead.
if(IS_ABSOLUTE "${NEUROPLASTIC_INSTALL_PKGCONFIGDIR}")
  set(neuroplastic_pc_prefix "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH neuroplastic_pc_up "/${NEUROPLASTIC_INSTALL_PKGCONFIGDIR}" "/")
  string(REGEX REPLACE "/$" "" neuroplastic_pc_up "${neuroplastic_pc_up}")
  set(neuroplastic_pc_prefix "\${pcfiledir}/${neuroplastic_pc_up}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(neuroplastic_pc_includedir "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(neuroplastic_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/neuroplastic.pc.in ${PROJECT_BINARY_DIR}/neuroplastic.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/neuroplastic.pc DESTINATION ${NEUROPLASTIC_INSTALL_PKGCONFIGDIR})
