// Measures this core's peak rate of fused multiply-adds on the SIMD registers the library is
// compiled for: independent chains of FMAs, enough to cover the instruction's latency on both
// FMA pipes. The kernels' GFLOP/s in docs/benchmarks.md are read against this figure.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include <neuroplastic/kernels/simd.hpp>

namespace simd = neuroplastic::simd;

int main() {
    constexpr int chains = 12;  // latency 4 x 2 pipes = 8 in flight on current x86 cores; 12 spare
    constexpr long iterations = 100'000'000;
    double best = 0.0;
    for (int trial = 0; trial < 5; ++trial) {
        simd::vec acc[chains];
        for (int c = 0; c < chains; ++c) acc[c] = simd::broadcast(1.0f + 1e-7f * float(c));
        const simd::vec a = simd::broadcast(0.999999f), b = simd::broadcast(1e-7f);
        const auto start = std::chrono::steady_clock::now();
        for (long i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
            for (int c = 0; c < chains; ++c) acc[c] = simd::fma(acc[c], a, b);
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        float sink = 0.0f;
        for (int c = 0; c < chains; ++c) sink += simd::reduce_add(acc[c]);
        const double flops = 2.0 * double(simd::width) * chains * double(iterations);
        best = std::max(best, flops / seconds / 1e9);
        if (sink == 0.0f) std::puts("");  // keeps the chains alive
    }
    std::printf("peak FMA rate on one core (%s): %.1f GFLOP/s\n", simd::arch_name(), best);
}
