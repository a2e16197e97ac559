# Compiles SNIPPET with COMPILER (syntax only) and checks the outcome; see CMakeLists.txt here.
set(include_flags)
foreach(dir IN LISTS INCLUDES)
  list(APPEND include_flags -I${dir})
endforeach()

execute_process(
  COMMAND ${COMPILER} -std=c++20 -fsyntax-only -x c++ ${include_flags} ${SNIPPET}
  RESULT_VARIABLE result
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
set(output "${out}${err}")

if(EXPECT_SUCCESS)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${SNIPPET} should compile but did not:\n${output}")
  endif()
  return()
endif()

if(result EQUAL 0)
  message(FATAL_ERROR "${SNIPPET} compiled, but it must not")
endif()

string(REGEX MATCHALL "error:" errors "${output}")
list(LENGTH errors error_count)
if(NOT error_count EQUAL 1)
  message(FATAL_ERROR "${SNIPPET}: expected exactly one error, found ${error_count}:\n${output}")
endif()

file(STRINGS ${SNIPPET} expectations REGEX "^// expect: ")
if(NOT expectations)
  message(FATAL_ERROR "${SNIPPET} has no `// expect:` lines")
endif()
foreach(line IN LISTS expectations)
  string(REGEX REPLACE "^// expect: " "" pattern "${line}")
  if(NOT output MATCHES "${pattern}")
    message(FATAL_ERROR "${SNIPPET}: the compiler's output does not match `${pattern}`:\n${output}")
  endif()
endforeach()
message(STATUS "${SNIPPET} failed to compile as expected")
