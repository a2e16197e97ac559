#include <neuroplastic/core/aligned_buffer.hpp>
#include <neuroplastic/core/random.hpp>
#include <neuroplastic/core/thread_pool.hpp>
#include <neuroplastic/kernels/gemm.hpp>
#include <neuroplastic/kernels/reference.hpp>

#include <cmath>
#include <cstring>
#include <tuple>

#include "catch.hpp"

namespace npl = neuroplastic;
namespace kernels = neuroplastic::kernels;

namespace {

npl::aligned_buffer<float> random_buffer(std::size_t n, npl::rng& g) {
    npl::aligned_buffer<float> b(n);
    for (float& x : b) x = g.uniform(-1.0f, 1.0f);
    return b;
}

// Compares the SIMD product with the reference for C = op(A) op(B) (+ C), A stored m x k (or
// k x m when transposed), B stored k x n (or n x k), with leading dimensions padded by `pad`.
void check_product(std::size_t m, std::size_t n, std::size_t k, bool trans_a, bool trans_b,
                   bool accumulate) {
    npl::rng g(m * 1000003 + n * 1009 + k * 7 + trans_a * 2 + trans_b);
    const std::size_t pad = 3;
    const std::size_t lda = (trans_a ? m : k) + pad, ldb = (trans_b ? k : n) + pad, ldc = n + pad;
    const auto a = random_buffer((trans_a ? k : m) * lda, g);
    const auto b = random_buffer((trans_b ? n : k) * ldb, g);
    auto c = random_buffer(m * ldc, g);
    auto expected = c;
    kernels::operand op_a = kernels::row_major(a.data(), lda);
    kernels::operand op_b = kernels::row_major(b.data(), ldb);
    if (trans_a) op_a = op_a.transposed();
    if (trans_b) op_b = op_b.transposed();

    kernels::gemm(m, n, k, op_a, op_b, c.data(), ldc, accumulate);
    kernels::reference::gemm(m, n, k, op_a, op_b, expected.data(), ldc, accumulate);

    double worst = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < ldc; ++j) {
            const float got = c[i * ldc + j], want = expected[i * ldc + j];
            if (j >= n) {
                // Columns past n belong to the caller and must be left as they were.
                REQUIRE(got == want);
                continue;
            }
            // |error| is bounded by k * eps * sum |a||b|, with |a|, |b| <= 1.
            worst = std::max(worst, std::abs(double(got) - want) / (double(k) + 1.0));
        }
    }
    INFO("m=" << m << " n=" << n << " k=" << k << " trans_a=" << trans_a << " trans_b=" << trans_b
              << " accumulate=" << accumulate);
    REQUIRE(worst < 1e-6);
}

}  // namespace

TEST_CASE("gemm matches the reference at awkward sizes in every layout", "[gemm]") {
    const std::size_t sizes[] = {1, 7, 17, 301};
    for (std::size_t m : sizes) {
        for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{128}, std::size_t{17}}) {
            for (std::size_t k : sizes) {
                for (int layout = 0; layout < 4; ++layout) {
                    check_product(m, n, k, layout & 1, layout & 2, layout == 3);
                }
            }
        }
    }
}

TEST_CASE("gemm matches the reference at the LeNet-300-100 training shapes", "[gemm]") {
    for (auto [in, out] : {std::pair<std::size_t, std::size_t>{784, 300}, {300, 100}, {100, 10}}) {
        check_product(out, 128, in, false, false, true);  // forward: W x, onto the bias
        check_product(in, 128, out, true, false, false);  // input gradient: W^T dy
        check_product(out, in, 128, false, true, false);  // weight gradient: dy x^T
    }
}

TEST_CASE("gemm handles a depth of zero and blocks deeper than one cache block", "[gemm]") {
    check_product(13, 40, 0, false, false, false);
    check_product(13, 40, 0, false, false, true);
    check_product(50, 33, 1000, false, true, true);  // several depth blocks, summed in order
}

TEST_CASE("gemm gives the same bits on any number of threads", "[gemm][threads]") {
    npl::rng g(4);
    const std::size_t m = 301, n = 128, k = 784;
    const auto a = random_buffer(m * k, g), b = random_buffer(k * n, g);
    npl::aligned_buffer<float> one(m * n), two(m * n), three(m * n);
    kernels::gemm(m, n, k, kernels::row_major(a.data(), k), kernels::row_major(b.data(), n),
                  one.data(), n, false);
    npl::thread_pool pool2(2), pool3(3);
    kernels::gemm(m, n, k, kernels::row_major(a.data(), k), kernels::row_major(b.data(), n),
                  two.data(), n, false, &pool2);
    kernels::gemm(m, n, k, kernels::row_major(a.data(), k), kernels::row_major(b.data(), n),
                  three.data(), n, false, &pool3);
    REQUIRE(std::memcmp(one.data(), two.data(), m * n * sizeof(float)) == 0);
    REQUIRE(std::memcmp(one.data(), three.data(), m * n * sizeof(float)) == 0);
}

TEST_CASE("the thread pool runs every part once and passes exceptions on", "[threads]") {
    npl::thread_pool pool(3);
    REQUIRE(pool.threads() == 3);
    for (int round = 0; round < 50; ++round) {
        std::vector<int> hits(37, 0);
        pool.parallel_for(hits.size(), [&](std::size_t p) { ++hits[p]; });
        for (int h : hits) REQUIRE(h == 1);
    }
    REQUIRE_THROWS_AS(pool.parallel_for(8,
                                        [](std::size_t p) {
                                            if (p == 5) throw std::runtime_error("part 5");
                                        }),
                      std::runtime_error);
    std::vector<int> after(4, 0);
    pool.parallel_for(4, [&](std::size_t p) { after[p] = 1; });
    REQUIRE(after == std::vector<int>{1, 1, 1, 1});
}
