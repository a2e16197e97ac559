# Configures, builds and runs the consumer project in a fresh build directory.
#   cmake -DSOURCE_DIR=... -DBINARY_DIR=... -DGENERATOR=... -DCXX_COMPILER=...
#         -DOPTIONS=<-D settings separated by |> [-DCONFIGURE_ONLY=ON] -P consume.cmake
cmake_minimum_required(VERSION 3.21)

string(REPLACE "|" ";" options "${OPTIONS}")
file(REMOVE_RECURSE ${BINARY_DIR})

execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${BINARY_DIR} -G ${GENERATOR}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER} ${options}
  COMMAND_ERROR_IS_FATAL ANY)
if(CONFIGURE_ONLY)
  return()
endif()

execute_process(COMMAND ${CMAKE_COMMAND} --build ${BINARY_DIR} --config Debug
  COMMAND_ERROR_IS_FATAL ANY)
# A single-configuration generator writes one path file (for the empty build type), a
# multi-configuration one a file per configuration; the Debug build is the one just made.
file(GLOB path_files ${BINARY_DIR}/consumer_path_*.txt)
list(LENGTH path_files count)
if(count GREATER 1)
  set(path_files ${BINARY_DIR}/consumer_path_Debug.txt)
endif()
file(READ ${path_files} program)
execute_process(COMMAND ${program} COMMAND_ERROR_IS_FATAL ANY)
