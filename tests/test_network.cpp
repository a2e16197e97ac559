#include <neuroplastic/neuroplastic.hpp>

#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;

using lenet = npl::network<npl::input<784>, npl::dense<300>, npl::relu, npl::dense<100>, npl::relu,
                           npl::dense<10>>;

// Shapes are inferred front to back at compile time.
static_assert(lenet::input_size == 784 && lenet::output_size == 10);
static_assert(lenet::depth == 5);
static_assert(std::is_same_v<lenet::layer_type<0>, npl::dense<300>::layer<784>>);
static_assert(std::is_same_v<lenet::layer_type<3>, npl::relu::layer<100>>);
static_assert(lenet::layer_type<2>::input_size == 300 && lenet::layer_type<2>::output_size == 100);
static_assert(npl::layer<lenet::layer_type<0>> && npl::layer<lenet::layer_type<1>>);
static_assert(npl::sequence<4, npl::dense<3>, npl::tanh>::valid);
static_assert(!npl::sequence<4, npl::dense<3>, npl::tanh>::widths.empty());
// A sequence is itself a layer, so blocks can hold one.
static_assert(npl::layer<npl::sequence<4, npl::dense<3>, npl::tanh>>);

TEST_CASE("a network counts its parameters", "[network]") {
    lenet net(1);
    REQUIRE(net.parameter_count() == 784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10);
    std::size_t tensors = 0;
    net.for_each_parameter([&](const npl::parameter&) { ++tensors; });
    REQUIRE(tensors == 6);
}

TEST_CASE("a network's forward pass is its layers applied in order", "[network]") {
    using net_type = npl::network<npl::input<5>, npl::dense<4>, npl::tanh, npl::dense<3>>;
    net_type net(3);
    npl::rng g(4);
    npl::batch<5> x(6);
    for (std::size_t f = 0; f < 5; ++f) {
        for (std::size_t s = 0; s < 6; ++s) x(f, s) = g.normal();
    }
    const auto& y = net.forward(x);
    const auto& d0 = net.layer<0>();
    const auto& d2 = net.layer<2>();
    for (std::size_t s = 0; s < 6; ++s) {
        double hidden[4];
        for (std::size_t h = 0; h < 4; ++h) {
            double sum = d0.bias(h);
            for (std::size_t f = 0; f < 5; ++f) sum += double(d0.weight(h, f)) * x(f, s);
            hidden[h] = std::tanh(sum);
        }
        for (std::size_t o = 0; o < 3; ++o) {
            double sum = d2.bias(o);
            for (std::size_t h = 0; h < 4; ++h) sum += double(d2.weight(o, h)) * hidden[h];
            REQUIRE(y(o, s) == Approx(sum).margin(1e-5));
        }
    }
}

TEST_CASE("equal seeds give equal networks; the seed matters", "[network]") {
    lenet a(7), b(7), c(8);
    REQUIRE(std::memcmp(a.layer<0>().weights().value().data(),
                        b.layer<0>().weights().value().data(), 784 * 300 * sizeof(float)) == 0);
    REQUIRE(a.layer<0>().weight(0, 0) != c.layer<0>().weight(0, 0));
    // Each layer draws from its own stream: re-initialising gives the same weights again.
    const float w = a.layer<4>().weight(3, 3);
    a.initialize(7);
    REQUIRE(a.layer<4>().weight(3, 3) == w);
}

TEST_CASE("whole-network gradients pass the finite-difference check", "[network][gradient]") {
    using net_type = npl::network<npl::input<6>, npl::dense<8>, npl::tanh, npl::dense<7>,
                                  npl::sigmoid, npl::dense<4>>;
    net_type net(2);
    npl::rng g(9);
    npl::batch<6> x(5);
    for (std::size_t f = 0; f < 6; ++f) {
        for (std::size_t s = 0; s < 5; ++s) x(f, s) = g.normal();
    }
    std::vector<std::uint32_t> labels{0, 3, 1, 2, 3};
    npl::softmax_cross_entropy<> loss;
    npl::gradient_check_options options;
    options.floor = 0.01;
    const auto r =
        npl::check_network_gradients(net, loss, x, std::span<const std::uint32_t>(labels), options);
    INFO(r.worst);
    REQUIRE(r.passed);
    REQUIRE(r.checked == 6 * 8 + 8 + 8 * 7 + 7 + 7 * 4 + 4);
}

TEST_CASE("a ReLU network passes the gradient check away from its kinks", "[network][gradient]") {
    npl::network<npl::input<10>, npl::dense<12>, npl::relu, npl::dense<5>, npl::leaky_relu<>,
                 npl::dense<3>>
        net(5);
    npl::rng g(10);
    npl::batch<10> x(4);
    for (std::size_t f = 0; f < 10; ++f) {
        for (std::size_t s = 0; s < 4; ++s) x(f, s) = g.normal();
    }
    npl::batch<3> t(4);
    for (std::size_t f = 0; f < 3; ++f) {
        for (std::size_t s = 0; s < 4; ++s) t(f, s) = g.normal();
    }
    npl::mean_squared_error<> loss;
    npl::gradient_check_options options;
    options.floor = 0.01;
    const auto r = npl::check_network_gradients(net, loss, x, t.view(), options);
    INFO(r.worst);
    REQUIRE(r.passed);
    REQUIRE(r.skipped * 20 <= r.checked);
}

TEST_CASE("a network takes any batch size, one after another", "[network]") {
    lenet net(1);
    for (std::size_t n : {128, 1, 3, 1000, 128}) {
        npl::batch<784> x(n);
        for (std::size_t s = 0; s < n; ++s) x(0, s) = 1.0f;
        const auto& y = net.forward(x);
        REQUIRE(y.samples() == n);
        // Every sample is the same, so every column of the output is too.
        for (std::size_t s = 1; s < n; ++s) REQUIRE(y(5, s) == y(5, 0));
    }
}
