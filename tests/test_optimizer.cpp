#include <neuroplastic/core/parameter.hpp>
#include <neuroplastic/training/optimizer.hpp>

#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;

namespace {

// Runs `opt` on a parameter of `size` values, all starting at 1, with the gradients `steps`
// (the same for every value), and returns the value after each step. A size above one SIMD
// register exercises the vector path; the last value exercises the scalar tail.
template <class Optimizer>
std::vector<double> run(Optimizer opt, std::vector<float> steps, bool decays = true,
                        std::size_t size = 21) {
    npl::parameter p("w", size, decays);
    for (float& w : p.value()) w = 1.0f;
    std::vector<double> values;
    for (float g : steps) {
        for (float& x : p.gradient()) x = g;
        opt.begin_step();
        opt.update(p, 0.1f);
        for (std::size_t i = 1; i < size; ++i) REQUIRE(p.value()[i] == p.value()[0]);
        values.push_back(p.value()[0]);
    }
    return values;
}

}  // namespace

// The expected values are what torch.optim computes for the same settings, in float64, on a
// parameter starting at 1.0 with gradients 0.5 and then -0.2, learning rate 0.1.
TEST_CASE("SGD steps match hand-computed values", "[optimizer]") {
    const auto plain = run(npl::sgd{}, {0.5f, -0.2f});
    REQUIRE(plain[0] == Approx(0.95));
    REQUIRE(plain[1] == Approx(0.97));

    const auto momentum = run(npl::sgd{.momentum = 0.9f, .weight_decay = 0.01f}, {0.5f, -0.2f});
    REQUIRE(momentum[0] == Approx(0.949));
    REQUIRE(momentum[1] == Approx(0.922151));

    const auto nesterov =
        run(npl::sgd{.momentum = 0.9f, .nesterov = true, .weight_decay = 0.01f}, {0.5f, -0.2f});
    REQUIRE(nesterov[0] == Approx(0.9031));
    REQUIRE(nesterov[1] == Approx(0.89807411));
}

TEST_CASE("weight decay skips parameters that do not decay", "[optimizer]") {
    const auto bias = run(npl::sgd{.momentum = 0.9f, .weight_decay = 0.01f}, {0.5f, -0.2f}, false);
    REQUIRE(bias[0] == Approx(0.95));                       // v = 0.5
    REQUIRE(bias[1] == Approx(0.95 - 0.1 * (0.45 - 0.2)));  // v = 0.9 * 0.5 - 0.2
    const auto adam_bias = run(npl::adamw(0.1f), {0.5f, -0.2f}, false);
    const auto adam_plain = run(npl::adam{}, {0.5f, -0.2f});
    REQUIRE(adam_bias[1] == Approx(adam_plain[1]));
}

TEST_CASE("Adam and AdamW steps match hand-computed values", "[optimizer]") {
    const auto adam = run(npl::adam{}, {0.5f, -0.2f});
    REQUIRE(adam[0] == Approx(0.900000002));
    REQUIRE(adam[1] == Approx(0.8654394181165108));

    const auto adam_l2 = run(npl::adam{.weight_decay = 0.1f}, {0.5f, -0.2f});
    REQUIRE(adam_l2[0] == Approx(0.9000000016666666));
    REQUIRE(adam_l2[1] == Approx(0.8475190629593703));

    const auto adamw = run(npl::adamw(0.1f), {0.5f, -0.2f});
    REQUIRE(adamw[0] == Approx(0.890000002));
    REQUIRE(adamw[1] == Approx(0.8465394180965108));
}

TEST_CASE("Adam with a constant gradient moves by the learning rate each step", "[optimizer]") {
    const auto values = run(npl::adam{}, std::vector<float>(10, 0.3f), true, 3);
    for (std::size_t t = 0; t < values.size(); ++t) {
        REQUIRE(values[t] == Approx(1.0 - 0.1 * double(t + 1)).margin(1e-5));
    }
}

TEST_CASE("optimiser state starts at zero and can be cleared", "[optimizer]") {
    npl::parameter p("w", 4, true);
    REQUIRE_FALSE(p.has_state(0));
    npl::sgd opt{.momentum = 0.9f};
    for (float& g : p.gradient()) g = 1.0f;
    opt.update(p, 0.1f);
    REQUIRE(p.has_state(0));
    REQUIRE(p.state(0)[2] == 1.0f);
    p.clear_state();
    REQUIRE_FALSE(p.has_state(0));
}
