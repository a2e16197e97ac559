#include <neuroplastic/core/batch.hpp>
#include <neuroplastic/core/random.hpp>
#include <neuroplastic/core/thread_pool.hpp>
#include <neuroplastic/layers/dense.hpp>
#include <neuroplastic/training/gradient_check.hpp>

#include <cmath>
#include <cstring>

#include "catch.hpp"

namespace npl = neuroplastic;

namespace {

// A dense layer's three products against loops written from the definition y = W x + b.
template <std::size_t In, std::size_t Out>
void check_dense(std::size_t samples) {
    npl::rng g(In * 7919 + Out * 31 + samples);
    typename npl::dense<Out>::template layer<In> l;
    l.initialize(g);
    for (std::size_t o = 0; o < Out; ++o) l.bias(o) = g.uniform(-1.0f, 1.0f);
    npl::batch<In> x(samples), dx(samples);
    npl::batch<Out> y(samples), dy(samples);
    for (std::size_t i = 0; i < In; ++i) {
        for (std::size_t s = 0; s < samples; ++s) x(i, s) = g.uniform(-1.0f, 1.0f);
    }
    for (std::size_t o = 0; o < Out; ++o) {
        for (std::size_t s = 0; s < samples; ++s) dy(o, s) = g.uniform(-1.0f, 1.0f);
    }
    l.forward(x.view(), y.view(), {});
    l.backward(x.view(), y.view(), dy.view(), dx.view(), {});

    const double tolerance = 1e-5 * double(In + Out + samples);
    for (std::size_t o = 0; o < Out; ++o) {
        for (std::size_t s = 0; s < samples; ++s) {
            double sum = l.bias(o);
            for (std::size_t i = 0; i < In; ++i) sum += double(l.weight(o, i)) * x(i, s);
            REQUIRE(std::abs(y(o, s) - sum) < tolerance);
        }
        double bias_gradient = 0.0;
        for (std::size_t s = 0; s < samples; ++s) bias_gradient += dy(o, s);
        REQUIRE(std::abs(l.biases().gradient()[o] - bias_gradient) < tolerance);
        for (std::size_t i = 0; i < In; ++i) {
            double w_gradient = 0.0;
            for (std::size_t s = 0; s < samples; ++s) w_gradient += double(dy(o, s)) * x(i, s);
            REQUIRE(std::abs(l.weights().gradient()[o * In + i] - w_gradient) < tolerance);
        }
    }
    for (std::size_t i = 0; i < In; ++i) {
        for (std::size_t s = 0; s < samples; ++s) {
            double sum = 0.0;
            for (std::size_t o = 0; o < Out; ++o) sum += double(l.weight(o, i)) * dy(o, s);
            REQUIRE(std::abs(dx(i, s) - sum) < tolerance);
        }
        for (std::size_t s = samples; s < dx.stride(); ++s)
            REQUIRE(dx.data()[i * dx.stride() + s] == 0.0f);
    }
}

}  // namespace

TEST_CASE("dense forward and backward match the definition at awkward sizes", "[dense]") {
    for (std::size_t samples : {1, 3, 128}) {
        check_dense<1, 1>(samples);
        check_dense<7, 17>(samples);
        check_dense<17, 7>(samples);
        check_dense<301, 17>(samples);
        check_dense<17, 301>(samples);
    }
}

TEST_CASE("dense gradients pass the finite-difference check", "[dense][gradient]") {
    npl::rng g(5);
    npl::dense<13>::layer<29> l;
    l.initialize(g);
    const auto r = npl::check_layer_gradients(l);
    INFO(r.worst);
    REQUIRE(r.passed);
    REQUIRE(r.skipped == 0);
    REQUIRE(r.checked == 64 + 64 + 13);  // input, weights (sampled), every bias
}

TEST_CASE("He and Glorot initialisation have the variance they promise", "[dense][init]") {
    npl::rng g(8);
    const auto variance = [](const npl::parameter& p) {
        double s = 0, s2 = 0;
        for (float w : p.value()) {
            s += w;
            s2 += double(w) * w;
        }
        const double n = double(p.size());
        return s2 / n - (s / n) * (s / n);
    };
    npl::dense<400, npl::he_normal>::layer<500> he;
    he.initialize(g);
    REQUIRE(variance(he.weights()) == Approx(2.0 / 500).epsilon(0.02));
    npl::dense<400, npl::he_uniform>::layer<500> heu;
    heu.initialize(g);
    REQUIRE(variance(heu.weights()) == Approx(2.0 / 500).epsilon(0.02));
    npl::dense<400, npl::glorot_uniform>::layer<500> glorot;
    glorot.initialize(g);
    REQUIRE(variance(glorot.weights()) == Approx(2.0 / 900).epsilon(0.02));
    npl::dense<400, npl::glorot_normal>::layer<500> glorotn;
    glorotn.initialize(g);
    REQUIRE(variance(glorotn.weights()) == Approx(2.0 / 900).epsilon(0.02));
    for (float b : he.biases().value()) REQUIRE(b == 0.0f);
}

TEST_CASE("dense results do not depend on the number of threads", "[dense][threads]") {
    npl::rng g(6);
    npl::dense<300>::layer<784> l;
    l.initialize(g);
    npl::batch<784> x(128), dx1(128), dx2(128);
    npl::batch<300> y1(128), y2(128), dy(128);
    for (std::size_t i = 0; i < 784; ++i) {
        for (std::size_t s = 0; s < 128; ++s) x(i, s) = g.uniform();
    }
    for (std::size_t o = 0; o < 300; ++o) {
        for (std::size_t s = 0; s < 128; ++s) dy(o, s) = g.uniform(-1.0f, 1.0f);
    }
    l.forward(x.view(), y1.view(), {});
    l.backward(x.view(), y1.view(), dy.view(), dx1.view(), {});
    const std::vector<float> w_gradient(l.weights().gradient().begin(),
                                        l.weights().gradient().end());
    npl::thread_pool pool(2);
    l.forward(x.view(), y2.view(), {&pool, true});
    l.backward(x.view(), y2.view(), dy.view(), dx2.view(), {&pool, true});
    REQUIRE(std::memcmp(y1.data(), y2.data(), 300 * y1.stride() * sizeof(float)) == 0);
    REQUIRE(std::memcmp(dx1.data(), dx2.data(), 784 * dx1.stride() * sizeof(float)) == 0);
    REQUIRE(std::memcmp(w_gradient.data(), l.weights().gradient().data(),
                        w_gradient.size() * sizeof(float)) == 0);
}
