# wom_target_defaults(target): warnings, floating-point contraction, sanitizers and WERROR for our own targets.
function(wom_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  # No fused multiply-add contraction: an expression rounds the same wherever it is written
  # (the causal cone re-evaluates the sweep's thresholds) and on every architecture (GCC
  # contracts by default where the target has FMA, e.g. aarch64 or -march=native).
  target_compile_options(${target} PRIVATE -ffp-contract=off)
  if(WOM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(WOM_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${WOM_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=${WOM_SANITIZE})
  endif()
  if(WOM_FUZZ)
    # Coverage instrumentation for libFuzzer without its main(): the fuzz targets (fuzz/) link
    # -fsanitize=fuzzer.
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()
