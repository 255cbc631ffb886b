# Embeds a file into C at build time, as
#   const char <name>[] = {...bytes..., 0};
#   const size_t <name>_len = <bytes>;
# so that text such as a Lua library stays a file of its own in the tree.
#
# Included, this file defines synd_embed(); run with `cmake -P` (which
# synd_embed's build rule does), it writes one generated .c file.

if(CMAKE_SCRIPT_MODE_FILE)
  # Script mode: -DIN=file -DOUT=file.c -DNAME=symbol.
  file(READ "${IN}" hex HEX)
  string(LENGTH "${hex}" digits)
  math(EXPR len "${digits} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  # Sixteen bytes a line (CMake's regex has no {n}, hence the REPEAT).
  string(REPEAT "0x[0-9a-f][0-9a-f]," 16 line)
  string(REGEX REPLACE "(${line})" "\\1\n    " bytes "${bytes}")
  get_filename_component(src "${IN}" NAME)
  file(WRITE "${OUT}"
    "/* Generated from ${src} by cmake/embed.cmake; do not edit. */\n"
    "#include <stddef.h>\n\n"
    "const char ${NAME}[] = {\n    ${bytes}0x00};\n"
    "const size_t ${NAME}_len = ${len};\n")
  return()
endif()

set(SYND_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_FILE})

# synd_embed(<var> <name> <file>): a build rule that embeds <file> as the
# symbol <name> and sets <var> to the generated .c for a target's sources.
function(synd_embed var name file)
  set(out ${CMAKE_BINARY_DIR}/gen/embed/${name}.c)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DNAME=${name} -P ${SYND_EMBED_SCRIPT}
    DEPENDS ${file} ${SYND_EMBED_SCRIPT}
    COMMENT "Embedding ${file}")
  set(${var} ${out} PARENT_SCOPE)
endfunction()
