# Shared build settings: dependency discovery and the flags every Berth target gets.

# ccache (Debian's, installed by scripts/setup) when present: every later run of ./test.sh
# reuses unchanged objects. Paths below the source folder are hashed relative to it
# (base_dir) and the working folder is left out of the hash (hash_dir off), so a fresh clone
# in another folder — CI's — reuses this one's objects too. Absent, compilers run directly.
find_program(BERTH_CCACHE ccache)
if(BERTH_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(BERTH_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
    CCACHE_NOHASHDIR=1 ${BERTH_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${BERTH_COMPILER_LAUNCHER})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${BERTH_COMPILER_LAUNCHER})
endif()
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json url)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(simdjson REQUIRED)
find_package(ZLIB REQUIRED)
find_package(GTest REQUIRED)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(VTERM REQUIRED IMPORTED_TARGET vterm)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)

# CAF 0.17.6 ships neither a CMake config nor a pkg-config file.
find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
find_library(CAF_IO_LIBRARY caf_io REQUIRED)
add_library(caf INTERFACE)
target_include_directories(caf SYSTEM INTERFACE ${CAF_INCLUDE_DIR})
target_link_libraries(caf INTERFACE ${CAF_CORE_LIBRARY} ${CAF_IO_LIBRARY} Threads::Threads)

# Headers of Boost are third-party: keep their warnings out of ours.
set_target_properties(Boost::headers PROPERTIES
  INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${Boost_INCLUDE_DIRS}")

set(BERTH_WARNING_FLAGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual)
if(BERTH_WERROR)
  list(APPEND BERTH_WARNING_FLAGS -Werror)
endif()

if(BERTH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# berth_target(name) applies Berth's warning flags to one of our own targets.
function(berth_target name)
  target_compile_options(${name} PRIVATE ${BERTH_WARNING_FLAGS})
endfunction()

# berth_library(name SOURCES... DEPS...) declares one library per top-level folder.
function(berth_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  berth_target(${name})
endfunction()
