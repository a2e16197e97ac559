// Includes Catch2 2.13 or 3.x, whichever the build found, with the same names for the tests.
// The branch for Catch2 2 goes when Debian's catch2 package moves to 3 (Debian 13 has it).
#pragma once

#if NEUROPLASTIC_CATCH2_MAJOR >= 3
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;
#else
#include <catch2/catch.hpp>
#endif
