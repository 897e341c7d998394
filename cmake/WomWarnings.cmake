# wom_target_defaults(target): warnings, sanitizers and WERROR for our own targets.
function(wom_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  if(WOM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(WOM_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${WOM_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=${WOM_SANITIZE})
  endif()
endfunction()
