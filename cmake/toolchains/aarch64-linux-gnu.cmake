# Cross-compiles for 64-bit ARM (NEON) with Debian's g++-aarch64-linux-gnu, and runs the results
# under qemu-user, so CTest runs the aarch64 test suite on an x86 machine:
#   cmake --workflow --preset aarch64
# The header-only dependencies (xsimd, Catch2 2) are copied from the host's /usr/include into the
# build tree (NEUROPLASTIC_STAGE_HEADERS_FROM): pointing the cross compiler at /usr/include itself
# would put the host's C library headers before the target's.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(NEUROPLASTIC_STAGE_HEADERS_FROM /usr/include CACHE PATH
    "Where the header-only dependencies are copied from")
