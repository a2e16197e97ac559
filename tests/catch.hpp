// Includes Catch2 2.13 or 3.x, whichever the build found, with the same names for the tests.
// Every difference between the two majors that the tests meet is bridged here and nowhere else.
// The branch for Catch2 2 goes when Debian's catch2 package moves to 3 (Debian 13 has it).
#pragma once

#if NEUROPLASTIC_CATCH2_MAJOR >= 3
#include <string>

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
using Catch::Approx;

namespace Catch {

/// Catch2 2's name for the substring matcher, which Catch2 3 calls Matchers::ContainsSubstring.
/// Goes with the Catch2 2 branch, when the tests can be written against Catch2 3's name.
inline Matchers::StringContainsMatcher Contains(const std::string& part) {
    return Matchers::ContainsSubstring(part);
}

}  // namespace Catch
#else
#include <catch2/catch.hpp>
#endif
