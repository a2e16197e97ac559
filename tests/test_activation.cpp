#include <neuroplastic/core/batch.hpp>
#include <neuroplastic/core/random.hpp>
#include <neuroplastic/layers/activation.hpp>
#include <neuroplastic/training/gradient_check.hpp>

#include <cmath>

#include "catch.hpp"

namespace npl = neuroplastic;

namespace {

// The SIMD forward and backward passes of `Spec` against its scalar reference, at `Width` x
// `samples`, with inputs drawn from [-range, range].
template <class Spec, class Function, std::size_t Width>
void check_against_reference(std::size_t samples, float range) {
    npl::rng g(Width * 17 + samples);
    typename Spec::template layer<Width> l;
    npl::batch<Width> x(samples), y(samples), dy(samples), dx(samples);
    for (std::size_t f = 0; f < Width; ++f) {
        for (std::size_t s = 0; s < samples; ++s) {
            x(f, s) = g.uniform(-range, range);
            dy(f, s) = g.uniform(-1.0f, 1.0f);
        }
    }
    const npl::pass_context ctx{};
    l.forward(x.view(), y.view(), ctx);
    l.backward(x.view(), y.view(), dy.view(), dx.view(), ctx);
    for (std::size_t f = 0; f < Width; ++f) {
        for (std::size_t s = 0; s < samples; ++s) {
            const float v = x(f, s);
            INFO("x = " << v);
            REQUIRE(y(f, s) == Approx(Function::reference(v)).epsilon(1e-5).margin(1e-6));
            REQUIRE(
                dx(f, s) ==
                Approx(dy(f, s) * Function::reference_derivative(v)).epsilon(1e-5).margin(1e-6));
        }
        for (std::size_t s = samples; s < dx.stride(); ++s) {
            REQUIRE(dx.data()[f * dx.stride() + s] == 0.0f);  // the padding stays zero
        }
    }
}

template <class Spec, class Function>
void check_all_sizes(float range) {
    for (std::size_t samples : {1, 3, 128}) {
        check_against_reference<Spec, Function, 1>(samples, range);
        check_against_reference<Spec, Function, 7>(samples, range);
        check_against_reference<Spec, Function, 17>(samples, range);
        check_against_reference<Spec, Function, 301>(samples, range);
    }
}

}  // namespace

TEST_CASE("activations match their scalar references at awkward sizes", "[activation]") {
    check_all_sizes<npl::relu, npl::relu_function>(3.0f);
    check_all_sizes<npl::leaky_relu<>, npl::leaky_relu_function<>>(3.0f);
    check_all_sizes<npl::leaky_relu<1, 5>, npl::leaky_relu_function<1, 5>>(3.0f);
    check_all_sizes<npl::tanh, npl::tanh_function>(6.0f);
    check_all_sizes<npl::sigmoid, npl::sigmoid_function>(12.0f);
}

TEST_CASE("tanh and sigmoid saturate without NaN at extreme inputs", "[activation]") {
    npl::sigmoid::layer<4> s;
    npl::tanh::layer<4> t;
    npl::batch<4> x(2), y(2);
    const float values[4] = {-1000.0f, -90.0f, 90.0f, 1000.0f};
    for (std::size_t f = 0; f < 4; ++f) x(f, 0) = x(f, 1) = values[f];
    s.forward(x.view(), y.view(), {});
    REQUIRE(y(0, 0) == 0.0f);
    REQUIRE(y(1, 0) == Approx(0.0f).margin(1e-30));
    REQUIRE(y(2, 0) == 1.0f);
    REQUIRE(y(3, 0) == 1.0f);
    t.forward(x.view(), y.view(), {});
    REQUIRE(y(0, 1) == -1.0f);
    REQUIRE(y(3, 1) == 1.0f);
}

TEST_CASE("activation gradients pass the finite-difference check", "[activation][gradient]") {
    npl::gradient_check_options options;
    options.samples = 5;
    {
        npl::tanh::layer<9> l;
        const auto r = npl::check_layer_gradients(l, options);
        INFO(r.worst);
        REQUIRE(r.passed);
        REQUIRE(r.checked == 45);
    }
    {
        npl::sigmoid::layer<9> l;
        const auto r = npl::check_layer_gradients(l, options);
        INFO(r.worst);
        REQUIRE(r.passed);
    }
    {
        npl::relu::layer<9> l;
        const auto r = npl::check_layer_gradients(l, options);
        INFO(r.worst);
        REQUIRE(r.passed);
        REQUIRE(r.skipped <= 2);  // inputs within h of the kink at 0
        REQUIRE(r.checked + r.skipped == 45);
    }
    {
        npl::leaky_relu<>::layer<9> l;
        const auto r = npl::check_layer_gradients(l, options);
        INFO(r.worst);
        REQUIRE(r.passed);
    }
}
