# Installs the build tree into a fresh prefix and checks what arrived: every public header, the
# CMake package, the pkg-config file, nothing architecture-specific, and no absolute path to the
# prefix in the package files (so the installed tree can be moved).
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DPREFIX=... -DVERSION=... -P install.cmake
cmake_minimum_required(VERSION 3.21)

file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
  COMMAND_ERROR_IS_FATAL ANY)

set(problems "")

file(GLOB_RECURSE headers RELATIVE ${SOURCE_DIR}/include ${SOURCE_DIR}/include/*.hpp)
foreach(header IN LISTS headers)
  if(NOT EXISTS ${PREFIX}/include/${header})
    string(APPEND problems "\n  missing header include/${header}")
  endif()
endforeach()

set(package_dir share/cmake/neuroplastic)
set(package_files
  ${package_dir}/neuroplasticConfig.cmake
  ${package_dir}/neuroplasticConfigVersion.cmake
  ${package_dir}/neuroplasticTargets.cmake
  ${package_dir}/neuroplastic-xsimd.cmake
  share/pkgconfig/neuroplastic.pc)
foreach(file IN LISTS package_files)
  if(NOT EXISTS ${PREFIX}/${file})
    string(APPEND problems "\n  missing ${file}")
  else()
    file(READ ${PREFIX}/${file} text)
    string(FIND "${text}" "${PREFIX}" at)
    if(NOT at EQUAL -1)
      string(APPEND problems "\n  ${file} names the prefix ${PREFIX}: it cannot be moved")
    endif()
  endif()
endforeach()

if(EXISTS ${PREFIX}/share/pkgconfig/neuroplastic.pc)
  file(STRINGS ${PREFIX}/share/pkgconfig/neuroplastic.pc pc_prefix REGEX "^prefix=")
  if(NOT pc_prefix MATCHES "^prefix=\\\${pcfiledir}/")
    string(APPEND problems "\n  neuroplastic.pc has '${pc_prefix}', not a prefix relative to "
      "\${pcfiledir}: it cannot be moved")
  endif()
endif()

file(GLOB top_level RELATIVE ${PREFIX} ${PREFIX}/*)
list(REMOVE_ITEM top_level include share)
if(top_level)
  string(APPEND problems "\n  a header-only install has more than include/ and share/: ${top_level}")
endif()

# The version file must accept this version for a consumer whose pointers have another size
# (no real machine has 2-byte ones), as a package of headers serves 32-bit and 64-bit builds.
function(check_version_file)
  string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" PACKAGE_FIND_VERSION "${VERSION}")
  set(PACKAGE_FIND_VERSION_MAJOR ${CMAKE_MATCH_1})
  set(PACKAGE_FIND_VERSION_MINOR ${CMAKE_MATCH_2})
  set(PACKAGE_FIND_VERSION_COUNT 2)
  set(CMAKE_SIZEOF_VOID_P 2)
  include(${PREFIX}/${package_dir}/neuroplasticConfigVersion.cmake)
  if(NOT PACKAGE_VERSION_COMPATIBLE OR PACKAGE_VERSION_UNSUITABLE)
    string(APPEND problems "\n  the version file refuses a consumer whose pointers have "
      "another size: it is not architecture-independent")
    set(problems "${problems}" PARENT_SCOPE)
  endif()
endfunction()
check_version_file()

if(problems)
  message(FATAL_ERROR "the installed tree in ${PREFIX} is wrong:${problems}")
endif()
list(LENGTH headers header_count)
message(STATUS "installed ${header_count} headers, the CMake package and neuroplastic.pc")
