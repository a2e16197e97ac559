#include <neuroplastic/core/batch.hpp>
#include <neuroplastic/core/random.hpp>
#include <neuroplastic/layers/loss.hpp>
#include <neuroplastic/training/gradient_check.hpp>

#include <cmath>
#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;

namespace {

// Cross-entropy of softmax, in double, straight from the definition.
double naive_cross_entropy(const npl::batch<10>& z, const std::vector<std::uint32_t>& labels,
                           npl::batch<10>& gradient) {
    const std::size_t n = z.samples();
    double total = 0.0;
    for (std::size_t s = 0; s < n; ++s) {
        double m = z(0, s);
        for (std::size_t c = 1; c < 10; ++c) m = std::max(m, double(z(c, s)));
        double sum = 0.0;
        for (std::size_t c = 0; c < 10; ++c) sum += std::exp(z(c, s) - m);
        total += -(z(labels[s], s) - m - std::log(sum));
        for (std::size_t c = 0; c < 10; ++c) {
            const double p = std::exp(z(c, s) - m) / sum;
            gradient(c, s) = static_cast<float>((p - (c == labels[s] ? 1.0 : 0.0)) / double(n));
        }
    }
    return total / double(n);
}

}  // namespace

TEST_CASE("softmax cross-entropy matches the definition", "[loss]") {
    for (std::size_t n : {1, 3, 128, 131}) {
        npl::rng g(n);
        npl::batch<10> z(n), gradient(n), expected(n);
        std::vector<std::uint32_t> labels(n);
        for (std::size_t s = 0; s < n; ++s) {
            labels[s] = static_cast<std::uint32_t>(g.below(10));
            for (std::size_t c = 0; c < 10; ++c) z(c, s) = g.normal(0.0f, 3.0f);
        }
        npl::softmax_cross_entropy<> loss;
        const float value = loss.forward_backward(z.view(), labels, gradient.view());
        const double want = naive_cross_entropy(z, labels, expected);
        REQUIRE(value == Approx(want).epsilon(1e-5));
        REQUIRE(loss.forward(z.view(), labels) == Approx(want).epsilon(1e-5));
        for (std::size_t c = 0; c < 10; ++c) {
            for (std::size_t s = 0; s < n; ++s) {
                REQUIRE(gradient(c, s) == Approx(expected(c, s)).margin(1e-6));
            }
            for (std::size_t s = n; s < gradient.stride(); ++s) {
                REQUIRE(gradient.data()[c * gradient.stride() + s] == 0.0f);
            }
        }
    }
}

TEST_CASE("softmax cross-entropy stays finite for huge logits", "[loss]") {
    npl::batch<10> z(2), gradient(2);
    for (std::size_t c = 0; c < 10; ++c) {
        z(c, 0) = 1000.0f + float(c);  // exp would overflow without the shift
        z(c, 1) = -1000.0f - float(c);
    }
    std::vector<std::uint32_t> labels{9, 0};
    npl::softmax_cross_entropy<> loss;
    const float value = loss.forward_backward(z.view(), labels, gradient.view());
    REQUIRE(std::isfinite(value));
    // Both labels sit on the largest logit, one apart from the next: loss = log(sum e^-k).
    double expected = 0.0;
    for (int k = 0; k < 10; ++k) expected += std::exp(-k);
    REQUIRE(value == Approx(std::log(expected)).epsilon(1e-5));
    for (std::size_t c = 0; c < 10; ++c) REQUIRE(std::isfinite(gradient(c, 0)));
}

TEST_CASE("softmax cross-entropy rejects bad labels with a clear message", "[loss]") {
    npl::batch<10> z(2), gradient(2);
    npl::softmax_cross_entropy<> loss;
    std::vector<std::uint32_t> out_of_range{1, 10};
    REQUIRE_THROWS_WITH(loss.forward_backward(z.view(), out_of_range, gradient.view()),
                        Catch::Contains("sample 1 is 10") && Catch::Contains("below 10"));
    std::vector<std::uint32_t> too_few{1};
    REQUIRE_THROWS_AS(loss.forward(z.view(), too_few), npl::shape_error);
}

TEST_CASE("accuracy counts the samples whose label has the largest logit", "[loss]") {
    npl::batch<3> z(4);
    const float columns[4][3] = {{1, 2, 3}, {3, 2, 1}, {0, 5, 0}, {2, 2, 1}};
    for (std::size_t s = 0; s < 4; ++s) z.set_sample(s, columns[s]);
    std::vector<std::uint32_t> labels{2, 0, 0, 0};  // the last is a tie, won by the first class
    REQUIRE(npl::softmax_cross_entropy<>::correct(z.view(), labels) == 3);
}

TEST_CASE("mean squared error matches the definition and PyTorch's scaling", "[loss]") {
    npl::rng g(3);
    npl::batch<4> y(3), t(3), gradient(3);
    double expected = 0.0;
    for (std::size_t f = 0; f < 4; ++f) {
        for (std::size_t s = 0; s < 3; ++s) {
            y(f, s) = g.normal();
            t(f, s) = g.normal();
            expected += (double(y(f, s)) - t(f, s)) * (double(y(f, s)) - t(f, s));
        }
    }
    expected /= 12.0;
    npl::mean_squared_error<> loss;
    REQUIRE(loss.forward_backward(y.view(), t.view(), gradient.view()) == Approx(expected));
    REQUIRE(loss.forward(y, t) == Approx(expected));
    for (std::size_t f = 0; f < 4; ++f) {
        for (std::size_t s = 0; s < 3; ++s) {
            REQUIRE(gradient(f, s) == Approx(2.0 * (y(f, s) - t(f, s)) / 12.0));
        }
    }
    npl::batch<4> wrong(2);
    REQUIRE_THROWS_AS(loss.forward(y.view(), wrong.view()), npl::shape_error);
}

TEST_CASE("loss gradients pass the finite-difference check", "[loss][gradient]") {
    npl::rng g(12);
    npl::batch<10> z(5);
    std::vector<std::uint32_t> labels(5);
    for (std::size_t s = 0; s < 5; ++s) {
        labels[s] = static_cast<std::uint32_t>(g.below(10));
        for (std::size_t c = 0; c < 10; ++c) z(c, s) = g.normal();
    }
    npl::softmax_cross_entropy<> ce;
    npl::gradient_check_options options;
    options.floor = 0.01;  // the gradients are divided by the batch size
    const auto r = npl::check_loss_gradient(ce, z, std::span<const std::uint32_t>(labels), options);
    INFO(r.worst);
    REQUIRE(r.passed);
    REQUIRE(r.checked == 50);

    npl::batch<10> t(5);
    for (std::size_t c = 0; c < 10; ++c) {
        for (std::size_t s = 0; s < 5; ++s) t(c, s) = g.normal();
    }
    npl::mean_squared_error<> mse;
    const auto r2 = npl::check_loss_gradient(mse, z, t.view(), options);
    INFO(r2.worst);
    REQUIRE(r2.passed);
}
