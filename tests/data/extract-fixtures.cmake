# Lays out the reference fixtures of fixtures.tar.xz in a folder, the way the tests read them:
#
#   cmake -D DEST=<folder> [-D STAMP=<file>] -P tests/data/extract-fixtures.cmake
#
# The build runs it (target csm_fixtures, into <build>/fixtures) whenever the archive or the
# checksum list changes; run it by hand to lay the fixtures out anywhere else (then point
# CSM_FIXTURES_DIR at DEST). Needs nothing but CMake >= 3.18 (libarchive reads the .tar.xz).
#
# The archive holds one copy of the Llama-3 tokenizer (llama3/tokenizer.json and
# tokenizer_config.json); it is laid out a second time in tiny-a/hf/, because the tests read
# tiny-a/hf as a user's model folder, which carries its tokenizer. That second copy is a hard
# link where the file system allows one, else a plain copy.
#
# Every file is then checked against fixtures.sha256, the SHA-256 of the original files: the
# laid-out folder is bit for bit the reference, or the step fails and DEST is left alone.
cmake_minimum_required(VERSION 3.18)

if(NOT DEST)
  message(FATAL_ERROR "extract-fixtures: pass -D DEST=<folder>")
endif()
get_filename_component(dest "${DEST}" ABSOLUTE)
set(archive "${CMAKE_CURRENT_LIST_DIR}/fixtures.tar.xz")
set(sums "${CMAKE_CURRENT_LIST_DIR}/fixtures.sha256")
foreach(input "${archive}" "${sums}")
  if(NOT EXISTS "${input}")
    message(FATAL_ERROR "extract-fixtures: ${input} is missing (a checkout with Git LFS or a partial clone?)")
  endif()
endforeach()

# Extract beside DEST, check, then swap in: an interrupted run never leaves a half folder at DEST.
set(partial "${dest}.partial")
file(REMOVE_RECURSE "${partial}")
file(ARCHIVE_EXTRACT INPUT "${archive}" DESTINATION "${partial}")
foreach(name tokenizer.json tokenizer_config.json)
  file(CREATE_LINK "${partial}/llama3/${name}" "${partial}/tiny-a/hf/${name}" COPY_ON_ERROR)
endforeach()

file(STRINGS "${sums}" lines)
set(checked 0)
foreach(line IN LISTS lines)
  if(NOT line MATCHES "^([0-9a-f]+)  (.+)$")
    message(FATAL_ERROR "extract-fixtures: bad line in ${sums}: ${line}")
  endif()
  set(expected "${CMAKE_MATCH_1}")
  set(relative "${CMAKE_MATCH_2}")
  if(NOT EXISTS "${partial}/${relative}")
    message(FATAL_ERROR "extract-fixtures: ${relative} is not in ${archive}")
  endif()
  file(SHA256 "${partial}/${relative}" actual)
  if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "extract-fixtures: ${relative} does not match fixtures.sha256 (${actual})")
  endif()
  math(EXPR checked "${checked} + 1")
endforeach()

file(REMOVE_RECURSE "${dest}")
file(RENAME "${partial}" "${dest}")
if(STAMP)
  file(TOUCH "${STAMP}")
endif()
message(STATUS "extract-fixtures: ${checked} files in ${dest}, each matching fixtures.sha256")
