// The gradient checker must fail on wrong gradients, or passing it would prove nothing.
#include <neuroplastic/layers/activation.hpp>
#include <neuroplastic/layers/dense.hpp>
#include <neuroplastic/training/gradient_check.hpp>

#include "catch.hpp"

namespace npl = neuroplastic;

namespace {

// y = 3 x, with a backward pass that forgets the factor.
template <std::size_t Width>
struct wrong_scale_layer {
    static constexpr std::size_t input_size = Width, output_size = Width;
    void forward(npl::matrix_view<const float> x, npl::matrix_view<float> y,
                 const npl::pass_context&) {
        for (std::size_t i = 0; i < x.rows * x.stride; ++i) y.data[i] = 3.0f * x.data[i];
    }
    void backward(npl::matrix_view<const float>, npl::matrix_view<const float>,
                  npl::matrix_view<const float> dy, npl::matrix_view<float> dx,
                  const npl::pass_context&) {
        for (std::size_t i = 0; i < dy.rows * dy.stride; ++i) dx.data[i] = dy.data[i];
    }
};

// A dense layer whose weight gradient is transposed in one entry.
struct broken_dense : npl::dense<3>::layer<4> {
    void backward(npl::matrix_view<const float> x, npl::matrix_view<const float> y,
                  npl::matrix_view<const float> dy, npl::matrix_view<float> dx,
                  const npl::pass_context& ctx) {
        npl::dense<3>::layer<4>::backward(x, y, dy, dx, ctx);
        auto g = weights().gradient();
        std::swap(g[1], g[4]);
    }
};

}  // namespace

static_assert(npl::layer<wrong_scale_layer<5>>);

TEST_CASE("the gradient checker fails a wrong input gradient", "[gradient]") {
    wrong_scale_layer<5> l;
    const auto r = npl::check_layer_gradients(l);
    REQUIRE_FALSE(r.passed);
    REQUIRE(r.max_error == Approx(2.0 / 3.0).epsilon(1e-3));
    REQUIRE(r.worst.find("input") == 0);
}

TEST_CASE("the gradient checker fails a wrong parameter gradient and names it", "[gradient]") {
    broken_dense l;
    npl::rng g(1);
    l.initialize(g);
    const auto r = npl::check_layer_gradients(l);
    REQUIRE_FALSE(r.passed);
    INFO(r.worst);
    REQUIRE((r.worst.find("weights[1]") == 0 || r.worst.find("weights[4]") == 0));
}

TEST_CASE("the gradient checker passes the layers it is meant to pass", "[gradient]") {
    npl::dense<3>::layer<4> l;
    npl::rng g(1);
    l.initialize(g);
    REQUIRE(npl::check_layer_gradients(l).passed);
}
