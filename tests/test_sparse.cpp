#include <neuroplastic/neuroplastic.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;

namespace {

template <std::size_t Features>
npl::batch<Features> random_batch(std::size_t samples, npl::rng& g) {
    npl::batch<Features> b(samples);
    for (std::size_t f = 0; f < Features; ++f) {
        for (std::size_t s = 0; s < samples; ++s) b(f, s) = g.uniform(-1.0f, 1.0f);
    }
    return b;
}

// A sparse layer against a dense layer holding the same weights, zero where no connection is
// live (the way PyTorch code simulates sparsity with a 0/1 mask).
template <std::size_t In, std::size_t Out>
void check_against_masked_dense(double density, std::size_t samples) {
    npl::rng g(In * 31 + Out + samples);
    typename npl::sparse<Out>::template layer<In> s;
    s.connect_random(static_cast<std::size_t>(density * In * Out), g);
    for (std::size_t o = 0; o < Out; ++o) s.bias(o) = g.uniform(-1.0f, 1.0f);
    typename npl::dense<Out>::template layer<In> d;
    for (std::size_t o = 0; o < Out; ++o) {
        d.bias(o) = s.bias(o);
        for (std::size_t i = 0; i < In; ++i) d.weight(o, i) = s.weight(o, i);
    }
    auto x = random_batch<In>(samples, g);
    auto dy = random_batch<Out>(samples, g);
    npl::batch<Out> ys(samples), yd(samples);
    npl::batch<In> dxs(samples), dxd(samples);
    s.forward(x.view(), ys.view(), {});
    d.forward(x.view(), yd.view(), {});
    s.backward(x.view(), ys.view(), dy.view(), dxs.view(), {});
    d.backward(x.view(), yd.view(), dy.view(), dxd.view(), {});
    const double tolerance = 1e-5 * double(In + Out + samples);
    for (std::size_t o = 0; o < Out; ++o) {
        for (std::size_t j = 0; j < samples; ++j)
            REQUIRE(std::abs(ys(o, j) - yd(o, j)) < tolerance);
        REQUIRE(std::abs(s.biases().gradient()[o] - d.biases().gradient()[o]) < tolerance);
    }
    for (std::size_t i = 0; i < In; ++i) {
        for (std::size_t j = 0; j < samples; ++j)
            REQUIRE(std::abs(dxs(i, j) - dxd(i, j)) < tolerance);
    }
    // The sampled weight gradient equals the dense one at every live connection.
    s.connections().for_each([&](std::size_t o, std::size_t i, std::size_t slot) {
        REQUIRE(std::abs(s.weights().gradient()[slot] - d.weights().gradient()[o * In + i]) <
                tolerance);
    });
}

}  // namespace

TEST_CASE("a sparse layer computes what a dense layer with masked weights computes", "[sparse]") {
    for (std::size_t samples : {1, 3, 128}) {
        check_against_masked_dense<17, 7>(0.3, samples);
        check_against_masked_dense<301, 17>(0.1, samples);
        check_against_masked_dense<7, 301>(0.5, samples);
        check_against_masked_dense<1, 1>(1.0, samples);
        check_against_masked_dense<17, 17>(0.0, samples);
    }
}

TEST_CASE("a sparse layer with every connection live equals dense<N> with the same weights",
          "[sparse]") {
    using dense_net = npl::network<npl::input<20>, npl::dense<30>, npl::relu, npl::dense<5>>;
    using sparse_net = npl::network<npl::input<20>, npl::sparse<30>, npl::relu, npl::sparse<5>>;
    dense_net d(3);
    sparse_net s(3);
    REQUIRE(s.layer<0>().live_connections() == 600);  // fully connected until sparsified
    for (std::size_t o = 0; o < 30; ++o) {
        for (std::size_t i = 0; i < 20; ++i)
            s.layer<0>().set_weight(o, i, d.layer<0>().weight(o, i));
    }
    for (std::size_t o = 0; o < 5; ++o) {
        for (std::size_t i = 0; i < 30; ++i)
            s.layer<2>().set_weight(o, i, d.layer<2>().weight(o, i));
    }
    npl::rng g(4);
    const auto x = random_batch<20>(9, g);
    const auto& yd = d.forward(x);
    const auto& ys = s.forward(x);
    for (std::size_t o = 0; o < 5; ++o) {
        for (std::size_t j = 0; j < 9; ++j) REQUIRE(ys(o, j) == Approx(yd(o, j)).margin(1e-5));
    }
}

TEST_CASE("sparse gradients pass the finite-difference check", "[sparse][gradient]") {
    npl::rng g(2);
    npl::sparse<13>::layer<29> l;
    l.connect_random(120, g);
    for (std::size_t o = 0; o < 13; ++o) l.bias(o) = g.uniform(-1.0f, 1.0f);
    npl::gradient_check_options options;
    options.entries = 200;
    const auto r = npl::check_layer_gradients(l, options);
    INFO(r.worst);
    REQUIRE(r.passed);
    REQUIRE(r.skipped == 0);
}

TEST_CASE("connect_random draws the asked-for count with He initialisation of the live fan-in",
          "[sparse]") {
    npl::rng g(5);
    npl::sparse<300>::layer<784> l;
    l.connect_random(23520, g);  // density 0.1
    REQUIRE(l.live_connections() == 23520);
    REQUIRE(l.density() == Approx(0.1));
    double sum = 0, sum_sq = 0;
    l.connections().for_each([&](std::size_t, std::size_t, std::size_t s) {
        const double w = l.weights().value()[s];
        sum += w;
        sum_sq += w * w;
    });
    const double variance = sum_sq / 23520 - (sum / 23520) * (sum / 23520);
    REQUIRE(variance == Approx(2.0 / (0.1 * 784)).epsilon(0.03));
    // Each input is used about equally often (uniform positions).
    const auto by_col = l.connections().by_columns();
    std::size_t fewest = 1000, most = 0;
    for (std::size_t i = 0; i < 784; ++i) {
        const std::size_t n = by_col.col_begin[i + 1] - by_col.col_begin[i];
        fewest = std::min(fewest, n);
        most = std::max(most, n);
    }
    REQUIRE(fewest >= 10);  // mean 30, binomial spread
    REQUIRE(most <= 55);
    // Memory follows the live connections: no dense array in an ordinary layer.
    REQUIRE(l.weights().size() < 2 * 23520);
    REQUIRE(l.dense_gradient().empty());
    REQUIRE_THROWS_AS(l.connect_random(784 * 300 + 1, g), npl::argument_error);
}

TEST_CASE("the dense gradient is formed only when asked for, and freed after", "[sparse]") {
    npl::rng g(6);
    npl::sparse<7>::layer<11> l;
    l.connect_random(20, g);
    const auto x = random_batch<11>(5, g);
    const auto dy = random_batch<7>(5, g);
    npl::batch<7> y(5);
    npl::batch<11> dx(5);
    l.forward(x.view(), y.view(), {});
    l.backward(x.view(), y.view(), dy.view(), dx.view(), {});
    REQUIRE(l.dense_gradient().empty());
    npl::pass_context ctx;
    ctx.dense_gradients = true;
    l.backward(x.view(), y.view(), dy.view(), dx.view(), ctx);
    const auto dense = l.dense_gradient();
    REQUIRE(dense.size() == 77);
    for (std::size_t o = 0; o < 7; ++o) {
        for (std::size_t i = 0; i < 11; ++i) {
            double sum = 0.0;
            for (std::size_t j = 0; j < 5; ++j) sum += double(dy(o, j)) * x(i, j);
            REQUIRE(dense[o * 11 + i] == Approx(sum).margin(1e-5));
        }
    }
    l.release_dense_gradient();
    REQUIRE(l.dense_gradient().empty());
}

TEST_CASE("sparse layers track dormant neurons", "[sparse]") {
    npl::sparse<3>::layer<2> l;
    l.bias(0) = 1.0f;   // always positive
    l.bias(1) = -5.0f;  // never, for small inputs and weights
    l.bias(2) = 0.0f;
    npl::rng g(1);
    l.connect_random(6, g);
    for (std::size_t i = 0; i < 2; ++i) {
        l.set_weight(0, i, 0.01f);
        l.set_weight(1, i, 0.01f);
        l.set_weight(2, i, 1.0f);
    }
    l.bias(0) = 1.0f;
    l.bias(1) = -5.0f;
    npl::batch<2> x(4);
    npl::batch<3> y(4);
    for (std::size_t j = 0; j < 4; ++j) x(0, j) = x(1, j) = float(j) - 1.5f;  // -1.5 .. 1.5
    l.forward(x.view(), y.view(), {});
    REQUIRE(l.activity().active(0));
    REQUIRE_FALSE(l.activity().active(1));
    REQUIRE(l.activity().active(2));
    REQUIRE(l.activity().dormant() == 1);
    l.activity().reset();
    REQUIRE(l.activity().dormant() == 0);             // nothing observed yet
    l.forward(x.view(), y.view(), {nullptr, false});  // inference is not observed
    REQUIRE(l.activity().observations() == 0);
}
