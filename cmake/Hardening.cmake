# SPDX-License-Identifier: Apache-2.0
# Warnings and hardening flags shared by every target of the project (KeePassXC-style).
add_library(ndes_build_flags INTERFACE)
target_compile_options(ndes_build_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wformat=2
    -fstack-protector-strong)
if(NDES_WARNINGS_AS_ERRORS)
    target_compile_options(ndes_build_flags INTERFACE -Werror)
endif()
# FORTIFY needs optimisation; sanitizer builds skip it (ASan replaces the checked functions).
if(NOT NDES_SANITIZERS AND NOT NDES_BUILD_FUZZERS)
    target_compile_options(ndes_build_flags INTERFACE
        $<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2>)
endif()
target_link_options(ndes_build_flags INTERFACE -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack -pie)
if(NDES_SANITIZERS)
    target_compile_options(ndes_build_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                     -fno-sanitize-recover=undefined)
    target_link_options(ndes_build_flags INTERFACE -fsanitize=address,undefined)
endif()
if(NDES_BUILD_FUZZERS)
    # Coverage instrumentation for libFuzzer in every library a fuzz target links, plus ASan/UBSan.
    target_compile_options(ndes_build_flags INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    target_link_options(ndes_build_flags INTERFACE -fsanitize=address,undefined)
endif()
