#include <neuroplastic/training/schedule.hpp>

#include <cmath>
#include <numbers>

#include "catch.hpp"

namespace npl = neuroplastic;

TEST_CASE("a constant schedule keeps its rate, after a linear warm-up", "[schedule]") {
    const npl::constant_schedule s{.base_rate = 0.02f};
    REQUIRE(s.rate({0, 100, 10}) == 0.02f);
    REQUIRE(s.rate({99, 100, 10}) == 0.02f);
    const npl::constant_schedule w{.base_rate = 0.02f, .warmup_steps = 4};
    REQUIRE(w.rate({0, 100, 10}) == Approx(0.005));
    REQUIRE(w.rate({3, 100, 10}) == Approx(0.02));
    REQUIRE(w.rate({50, 100, 10}) == 0.02f);
}

TEST_CASE("a step schedule multiplies by gamma every few epochs", "[schedule]") {
    const npl::step_schedule s{.base_rate = 0.1f, .gamma = 0.5f, .every_epochs = 2};
    REQUIRE(s.rate({0, 100, 10}) == Approx(0.1));
    REQUIRE(s.rate({19, 100, 10}) == Approx(0.1));    // epoch 1
    REQUIRE(s.rate({20, 100, 10}) == Approx(0.05));   // epoch 2
    REQUIRE(s.rate({45, 100, 10}) == Approx(0.025));  // epoch 4
}

TEST_CASE("a cosine schedule falls along half a cosine to its final rate", "[schedule]") {
    const npl::cosine_schedule s{.base_rate = 0.05f};
    REQUIRE(s.rate({0, 1000, 10}) == Approx(0.05));
    REQUIRE(s.rate({500, 1000, 10}) == Approx(0.025));
    REQUIRE(s.rate({250, 1000, 10}) == Approx(0.025 * (1 + std::cos(std::numbers::pi / 4))));
    REQUIRE(s.rate({1000, 1000, 10}) == Approx(0.0).margin(1e-9));
    REQUIRE(s.rate({2000, 1000, 10}) == Approx(0.0).margin(1e-9));  // past the end: stays there
    const npl::cosine_schedule floor{.base_rate = 0.05f, .final_rate = 0.01f};
    REQUIRE(floor.rate({1000, 1000, 10}) == Approx(0.01));
    REQUIRE(floor.rate({500, 1000, 10}) == Approx(0.03));
}
