// The Catch2 v2 implementation, compiled once (see TOOLCHAIN.md pitfall 2).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
