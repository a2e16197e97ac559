// The test runner's main() for Catch2 2; Catch2 3 links its own.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
