# Warnings and sanitizers are applied per target, never globally, so the
# imported dependencies compile with their own flags.
function(wirewatch_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                           -Wno-sign-conversion)
  if(WIREWATCH_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(WIREWATCH_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${WIREWATCH_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${WIREWATCH_SANITIZE})
  endif()
endfunction()

# wirewatch_library(<name> SOURCES ... DEPS ...) makes wirewatch_<name> with the
# alias wirewatch::<name>, its public headers under <name>/include.
function(wirewatch_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(wirewatch_${name} STATIC ${ARG_SOURCES})
  add_library(wirewatch::${name} ALIAS wirewatch_${name})
  target_include_directories(wirewatch_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(wirewatch_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  wirewatch_target_options(wirewatch_${name})
endfunction()
