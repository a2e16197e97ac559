# Runs ports/neuroplastic/portfile.cmake without vcpkg, which Debian does not have. The vcpkg
# helpers it calls are replaced by stand-ins that do the part of each that can go wrong here:
# configuring and installing this tree with the options the portfile passes (an option the
# project does not use fails, as vcpkg warns of it), and checking that the CMake package and the
# .pc file are where the fix-ups expect them. The portfile's own file operations run as written.
# Then the packaged tree is checked as vcpkg's post-build checks would, and a consumer project
# is configured against it.
#   cmake -DPORT_DIR=... -DWORK_DIR=... -DGENERATOR=... -DCXX_COMPILER=... -DCONSUMER_DIR=...
#         -DCONSUMER_OPTIONS=<-D settings separated by |> [-DPKG_CONFIG=...] -P vcpkg_port.cmake
cmake_minimum_required(VERSION 3.21)

file(READ ${PORT_DIR}/vcpkg.json manifest)
string(JSON PORT GET "${manifest}" name)
string(JSON VERSION GET "${manifest}" version)
set(TARGET_TRIPLET x64-linux)
set(CURRENT_PACKAGES_DIR ${WORK_DIR}/packages/${PORT}_${TARGET_TRIPLET})
set(CURRENT_BUILDTREES_DIR ${WORK_DIR}/buildtrees/${PORT})
string(REPLACE "|" ";" consumer_options "${CONSUMER_OPTIONS}")
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${CURRENT_PACKAGES_DIR} ${CURRENT_BUILDTREES_DIR})

# The settings of the consumer that concern dependencies (xsimd_DIR, xtl_DIR) stand in for the
# vcpkg tree of installed dependencies.
set(dependency_options ${consumer_options})
list(FILTER dependency_options INCLUDE REGEX "^-D(xsimd|xtl)_DIR=")

function(vcpkg_cmake_configure)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "SOURCE_PATH" "OPTIONS;OPTIONS_RELEASE;OPTIONS_DEBUG")
  if(NOT VCPKG_BUILD_TYPE STREQUAL "release")
    message(FATAL_ERROR "a header-only port sets VCPKG_BUILD_TYPE to release before configuring")
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${arg_SOURCE_PATH} -B ${CURRENT_BUILDTREES_DIR}/${TARGET_TRIPLET}-rel
      -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_BUILD_TYPE=Release
      -DCMAKE_INSTALL_PREFIX=${CURRENT_PACKAGES_DIR} ${dependency_options}
      ${arg_OPTIONS} ${arg_OPTIONS_RELEASE}
    OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE failed)
  if(failed OR output MATCHES "Manually-specified variables were not used")
    message(FATAL_ERROR "the port's configure step failed or passed unused options:\n${output}")
  endif()
endfunction()

function(vcpkg_cmake_install)
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${CURRENT_BUILDTREES_DIR}/${TARGET_TRIPLET}-rel
    COMMAND_ERROR_IS_FATAL ANY)
endfunction()

function(vcpkg_cmake_config_fixup)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "PACKAGE_NAME;CONFIG_PATH" "")
  if(NOT arg_PACKAGE_NAME)
    set(arg_PACKAGE_NAME ${PORT})
  endif()
  if(NOT arg_CONFIG_PATH)
    set(arg_CONFIG_PATH share/${arg_PACKAGE_NAME})
  endif()
  # Moving a package from elsewhere rewrites its paths; only the case without a move is emulated.
  if(NOT arg_CONFIG_PATH STREQUAL "share/${arg_PACKAGE_NAME}")
    message(FATAL_ERROR "the stand-in fix-up handles packages already in share/${arg_PACKAGE_NAME}")
  endif()
  if(NOT EXISTS ${CURRENT_PACKAGES_DIR}/${arg_CONFIG_PATH}/${arg_PACKAGE_NAME}Config.cmake)
    message(FATAL_ERROR "no ${arg_PACKAGE_NAME}Config.cmake in ${arg_CONFIG_PATH} for the fix-up")
  endif()
endfunction()

function(vcpkg_fixup_pkgconfig)
  file(GLOB_RECURSE pc_files RELATIVE ${CURRENT_PACKAGES_DIR} ${CURRENT_PACKAGES_DIR}/*.pc)
  foreach(pc_file IN LISTS pc_files)
    if(NOT pc_file MATCHES "^share/pkgconfig/")
      message(FATAL_ERROR "a header-only port keeps its .pc files in share/pkgconfig: ${pc_file}")
    endif()
  endforeach()
  if(PKG_CONFIG)
    set(ENV{PKG_CONFIG_PATH} "${CURRENT_PACKAGES_DIR}/share/pkgconfig:$ENV{PKG_CONFIG_PATH}")
    execute_process(COMMAND ${PKG_CONFIG} --print-errors --exists ${PORT} COMMAND_ERROR_IS_FATAL ANY)
  endif()
endfunction()

function(vcpkg_install_copyright)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "FILE_LIST")
  set(text "")
  foreach(file IN LISTS arg_FILE_LIST)
    if(NOT EXISTS ${file})
      message(FATAL_ERROR "${file} does not exist: vcpkg would stop here")
    endif()
    file(READ ${file} part)
    string(APPEND text "${part}")
  endforeach()
  file(WRITE ${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright "${text}")
endfunction()

include(${PORT_DIR}/portfile.cmake)

set(problems "")
foreach(file IN ITEMS
    include/neuroplastic/neuroplastic.hpp
    share/${PORT}/neuroplasticConfig.cmake
    share/${PORT}/neuroplasticConfigVersion.cmake
    share/${PORT}/neuroplasticTargets.cmake
    share/${PORT}/usage
    share/pkgconfig/neuroplastic.pc)
  if(NOT EXISTS ${CURRENT_PACKAGES_DIR}/${file})
    string(APPEND problems "\n  missing ${file}")
  endif()
endforeach()
foreach(directory IN ITEMS lib debug share/cmake)
  if(EXISTS ${CURRENT_PACKAGES_DIR}/${directory})
    string(APPEND problems "\n  ${directory}/ is left in the package")
  endif()
endforeach()
if(problems)
  message(FATAL_ERROR "the port's package in ${CURRENT_PACKAGES_DIR} is wrong:${problems}")
endif()

execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/consumer -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${CURRENT_PACKAGES_DIR}
    -DNEUROPLASTIC_CONSUME=find_package ${consumer_options}
  OUTPUT_VARIABLE output ERROR_VARIABLE output RESULT_VARIABLE failed)
string(FIND "${output}" "found neuroplastic ${VERSION} in ${CURRENT_PACKAGES_DIR}/share/${PORT}" at)
if(failed OR at EQUAL -1)
  message(FATAL_ERROR "a consumer does not find the port's package:\n${output}")
endif()
message(STATUS "the port packages neuroplastic ${VERSION} as vcpkg lays it out")
