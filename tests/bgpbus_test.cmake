# Scratch directories of the tests: short, under /tmp, one per build folder, because ipc://
# socket paths may not exceed 107 bytes and a checkout can live anywhere.
string(MD5 _bgpbus_build_hash "${CMAKE_BINARY_DIR}")
string(SUBSTRING "${_bgpbus_build_hash}" 0 8 _bgpbus_build_hash)
set(BGPBUS_TEST_ROOT "/tmp/bgpbus-${_bgpbus_build_hash}" CACHE PATH
    "Where tests keep their sockets and files (keep it short: ipc paths are limited)")

# bgpbus_unit_test(NAME SOURCES a.c b.c [LIBS x y] [LABELS unit ...] [TIMEOUT s])
# A cmocka test executable registered with ctest. Every test gets its own runtime directory in
# BGPBUS_TEST_DIR so that no two tests share a default socket.
function(bgpbus_unit_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${name} ${T_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "BGPBUS_TEST_DIR=${BGPBUS_TEST_ROOT}/${name};BGPBUS_BUILD=${CMAKE_BINARY_DIR};BGPBUS_SOURCE=${CMAKE_SOURCE_DIR}")
endfunction()

# bgpbus_script_test(NAME COMMAND cmd args... [LABELS ...] [TIMEOUT s])
# A shell/python test registered with ctest, with the same environment as unit tests.
function(bgpbus_script_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "BGPBUS_TEST_DIR=${BGPBUS_TEST_ROOT}/${name};BGPBUS_BUILD=${CMAKE_BINARY_DIR};BGPBUS_SOURCE=${CMAKE_SOURCE_DIR};PYTHON=/usr/bin/python3")
endfunction()
