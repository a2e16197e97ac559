#include <neuroplastic/core/batch.hpp>
#include <neuroplastic/core/random.hpp>
#include <neuroplastic/kernels/elementwise.hpp>
#include <neuroplastic/kernels/reference.hpp>

#include <limits>
#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;
namespace kernels = neuroplastic::kernels;

namespace {

template <std::size_t Rows>
void check_rows(std::size_t samples) {
    npl::rng g(Rows * 31 + samples);
    npl::batch<Rows> x(samples);
    for (std::size_t r = 0; r < Rows; ++r) {
        for (std::size_t s = 0; s < samples; ++s) x(r, s) = g.uniform(-2.0f, 2.0f);
    }
    std::vector<float> sums(Rows), expected(Rows);
    kernels::row_sums(x.view(), sums.data());
    kernels::reference::row_sums(x.view(), expected.data());
    for (std::size_t r = 0; r < Rows; ++r) REQUIRE(sums[r] == Approx(expected[r]).margin(1e-5));

    std::vector<float> bias(Rows);
    for (float& b : bias) b = g.uniform(-1.0f, 1.0f);
    npl::batch<Rows> y(samples);
    kernels::broadcast_rows(bias.data(), y.view());
    for (std::size_t r = 0; r < Rows; ++r) {
        for (std::size_t s = 0; s < samples; ++s) REQUIRE(y(r, s) == bias[r]);
    }
    kernels::clear_padding(y.view());
    for (std::size_t r = 0; r < Rows; ++r) {
        for (std::size_t s = samples; s < y.stride(); ++s)
            REQUIRE(y.data()[r * y.stride() + s] == 0.0f);
    }
}

}  // namespace

TEST_CASE("row sums and bias broadcasts match the reference at awkward sizes", "[elementwise]") {
    for (std::size_t samples : {1, 3, 128}) {
        check_rows<1>(samples);
        check_rows<7>(samples);
        check_rows<17>(samples);
        check_rows<301>(samples);
    }
}

TEST_CASE("a batch keeps its padding zero and stores samples as columns", "[batch]") {
    npl::batch<3> b(5);
    REQUIRE(b.samples() == 5);
    REQUIRE(b.stride() == npl::padded_samples(5));
    REQUIRE(b.stride() % npl::sample_padding == 0);
    const float column[3] = {1.0f, 2.0f, 3.0f};
    b.set_sample(4, column);
    REQUIRE(b(0, 4) == 1.0f);
    REQUIRE(b(2, 4) == 3.0f);
    REQUIRE(b.row(1)[4] == 2.0f);
    REQUIRE_THROWS_AS(b.set_sample(5, column), npl::shape_error);
    const float short_column[2] = {1.0f, 2.0f};
    REQUIRE_THROWS_AS(b.set_sample(0, short_column), npl::shape_error);
    b.resize(2);
    REQUIRE(b.samples() == 2);
    for (std::size_t i = 0; i < 3 * b.stride(); ++i) REQUIRE(b.data()[i] == 0.0f);
    REQUIRE(reinterpret_cast<std::uintptr_t>(b.data()) % npl::buffer_alignment == 0);
}

TEST_CASE("all_finite finds a NaN or an infinity at any position", "[elementwise]") {
    const float bad[] = {std::numeric_limits<float>::quiet_NaN(),
                         std::numeric_limits<float>::infinity(),
                         -std::numeric_limits<float>::infinity()};
    // Sizes around the register width and the four-register stride, and a large finite value.
    for (const std::size_t n : {0, 1, 7, 8, 9, 31, 32, 33, 100}) {
        std::vector<float> v(n);
        for (std::size_t i = 0; i < n; ++i)
            v[i] = (i % 2 ? -3.0e38f : 0.5f) * (float(i + 1) / float(n));
        INFO("size " << n);
        CHECK(kernels::all_finite(v));
        for (std::size_t at = 0; at < n; ++at) {
            for (const float b : bad) {
                const float kept = v[at];
                v[at] = b;
                INFO("value " << b << " at " << at);
                CHECK_FALSE(kernels::all_finite(v));
                v[at] = kept;
            }
        }
    }
}
