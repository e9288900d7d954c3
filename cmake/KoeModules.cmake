# Helpers shared by every module's CMakeLists.txt.

# Warnings are errors for our own code (never for system headers).
add_library(koe_warnings INTERFACE)
target_compile_options(koe_warnings INTERFACE
  -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Wpedantic
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)

# koe_module(NAME DIR DEPS...): a static library from every .cpp in DIR except
# main.cpp, or an interface library while the module has only headers.
function(koe_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  list(FILTER srcs EXCLUDE REGEX ".*/main\\.cpp$")
  if(srcs)
    add_library(${name} STATIC ${srcs})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${M_DEPS} PRIVATE koe_warnings)
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${M_DEPS})
  endif()
endfunction()
