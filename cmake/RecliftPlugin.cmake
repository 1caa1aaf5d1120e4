# reclift_add_plugin(NAME <name> SOURCES <src>... [TESTS <test.cpp>...] [LIBRARIES <lib>...])
#
# Builds one plugin as a shared library <name>.so with hidden visibility, in
# RECLIFT_BUILD_PLUGIN_DIR, installs it, registers the shared contract test
# (reclift-contract <plugin.so>) and, when TESTS are given, a Catch2 test
# executable compiled from the plugin's sources plus the tests.
# Works in the reclift tree and, through find_package(reclift), outside it.
include_guard(GLOBAL)
set(RECLIFT_CATCH_MAIN_SOURCE "${CMAKE_CURRENT_LIST_DIR}/catch_main.cpp")

function(reclift_add_plugin)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;TESTS;LIBRARIES" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "reclift_add_plugin: NAME and SOURCES are required")
  endif()
  if(RECLIFT_SKIP_INCOMPLETE_PLUGINS)  # for trees that others are editing
    foreach(src ${ARG_SOURCES} ${ARG_TESTS})
      if(NOT EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${src}" AND NOT EXISTS "${src}")
        message(WARNING "reclift_add_plugin(${ARG_NAME}): ${src} is missing; plugin skipped")
        return()
      endif()
    endforeach()
  endif()
  if(TARGET reclift::sdk)
    set(sdk reclift::sdk)
  else()
    set(sdk reclift_sdk)
  endif()
  if(TARGET reclift::contract)
    set(contract reclift::contract)
  else()
    set(contract reclift-contract)
  endif()
  if(NOT TARGET Catch2::Catch2)
    find_package(Catch2 2 QUIET)
  endif()
  if(TARGET Catch2::Catch2 AND NOT COMMAND catch_discover_tests)
    include(Catch)
  endif()

  set(obj reclift_plugin_${ARG_NAME}_obj)
  add_library(${obj} OBJECT ${ARG_SOURCES})
  target_link_libraries(${obj} PUBLIC ${sdk} ${ARG_LIBRARIES})
  set_target_properties(${obj} PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
                                          POSITION_INDEPENDENT_CODE ON)

  set(lib reclift_plugin_${ARG_NAME})
  add_library(${lib} MODULE $<TARGET_OBJECTS:${obj}>)
  target_link_libraries(${lib} PRIVATE ${sdk} ${ARG_LIBRARIES})
  set_target_properties(${lib} PROPERTIES PREFIX "" OUTPUT_NAME "${ARG_NAME}"
                                          LIBRARY_OUTPUT_DIRECTORY "${RECLIFT_BUILD_PLUGIN_DIR}")
  # an unresolved symbol is a link error here, not a load error later
  target_link_options(${lib} PRIVATE "LINKER:--no-undefined")
  install(TARGETS ${lib} LIBRARY DESTINATION "${RECLIFT_PLUGIN_INSTALL_DIR}")

  if(NOT DEFINED RECLIFT_BUILD_TESTS OR RECLIFT_BUILD_TESTS)
    add_test(NAME contract.${ARG_NAME} COMMAND ${contract} $<TARGET_FILE:${lib}>)
    set_tests_properties(contract.${ARG_NAME} PROPERTIES LABELS "contract;quick")
    if(ARG_TESTS AND TARGET Catch2::Catch2)
      if(NOT TARGET reclift_catch_main)
        add_library(reclift_catch_main STATIC "${RECLIFT_CATCH_MAIN_SOURCE}")
        target_link_libraries(reclift_catch_main PUBLIC Catch2::Catch2)
      endif()
      set(test ${ARG_NAME}_test)
      add_executable(${test} ${ARG_TESTS} $<TARGET_OBJECTS:${obj}>)
      target_link_libraries(${test} PRIVATE ${sdk} ${ARG_LIBRARIES} reclift_catch_main)
      if(COMMAND catch_discover_tests)
        catch_discover_tests(${test} TEST_PREFIX "${ARG_NAME}." PROPERTIES LABELS "plugin;quick")
      else()
        add_test(NAME ${test} COMMAND ${test})
      endif()
    endif()
  endif()
endfunction()
