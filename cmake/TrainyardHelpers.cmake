# Shared build settings: one INTERFACE target carries warnings and strict Qt defines for every target.
add_library(trainyard_settings INTERFACE)
target_compile_options(trainyard_settings INTERFACE -Wall -Wextra -Wpedantic)
if(TRAINYARD_WERROR)
  target_compile_options(trainyard_settings INTERFACE -Werror)
endif()
# ASan + UBSan for our code and the tests (Qt and the other libraries are not instrumented):
# undefined behaviour stops the test, as a memory error does.
if(TRAINYARD_SANITIZE)
  target_compile_options(trainyard_settings INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=undefined
                                                      -fno-omit-frame-pointer)
  target_link_options(trainyard_settings INTERFACE -fsanitize=address,undefined)
endif()
target_compile_definitions(trainyard_settings INTERFACE
  QT_NO_CAST_FROM_ASCII QT_NO_CONTEXTLESS_CONNECT QT_NO_KEYWORDS QT_NO_URL_CAST_FROM_STRING
  QT_USE_QSTRINGBUILDER)

# trainyard_add_test(NAME SOURCES... LABELS l1 l2 LIBS ...)
# One Qt Test executable per unit, registered with CTest and labelled.
function(trainyard_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LABELS;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE trainyard_settings Qt6::Test ${T_LIBS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    TRAINYARD_TEST_DATA="${PROJECT_SOURCE_DIR}/tests/data"
    TRAINYARD_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    TRAINYARD_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen")
endfunction()

# trainyard_require_program(PROGRAM DEBIAN_PACKAGE WHY)
# A program the tests call: configuring the tests fails, naming the Debian package, when it is
# missing, so that an incomplete install step shows at configure time (the fresh-machine test).
function(trainyard_require_program program package why)
  string(MAKE_C_IDENTIFIER "TRAINYARD_PROGRAM_${program}" var)
  find_program(${var} ${program})
  if(NOT ${var})
    message(FATAL_ERROR "The tests need the program ${program} (Debian package ${package}) for ${why}. "
                        "`bash .ci/install-deps --test` installs it.")
  endif()
endfunction()
