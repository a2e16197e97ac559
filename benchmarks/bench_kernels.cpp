// The dense kernels at the shapes of one LeNet-300-100 training step (batch 128), in GFLOP/s:
// the forward product W x, the input gradient W^T dy and the weight gradient dy x^T of each
// layer, beside the scalar reference for scale. Read the figures against benchmarks/fma_peak.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#include <neuroplastic/core/aligned_buffer.hpp>
#include <neuroplastic/core/random.hpp>
#include <neuroplastic/kernels/gemm.hpp>
#include <neuroplastic/kernels/reference.hpp>

namespace npl = neuroplastic;
namespace kernels = neuroplastic::kernels;

namespace {

constexpr std::size_t batch = 128;

npl::aligned_buffer<float> random_buffer(std::size_t n, std::uint64_t seed) {
    npl::aligned_buffer<float> b(n);
    npl::rng g(seed);
    for (float& x : b) x = g.uniform(-1.0f, 1.0f);
    return b;
}

enum class product { forward, input_gradient, weight_gradient };

template <bool Reference>
void bench_dense(benchmark::State& state, product which) {
    const auto in = static_cast<std::size_t>(state.range(0));
    const auto out = static_cast<std::size_t>(state.range(1));
    const auto w = random_buffer(out * in, 1), x = random_buffer(in * batch, 2);
    const auto dy = random_buffer(out * batch, 3);
    npl::aligned_buffer<float> y(out * batch), dx(in * batch), dw(out * in);
    const auto run = [&] {
        const auto gemm = Reference
                              ? kernels::reference::gemm
                              : [](std::size_t m, std::size_t n, std::size_t k, kernels::operand a,
                                   kernels::operand b, float* c, std::size_t ldc,
                                   bool acc) { kernels::gemm(m, n, k, a, b, c, ldc, acc); };
        switch (which) {
            case product::forward:
                gemm(out, batch, in, kernels::row_major(w.data(), in),
                     kernels::row_major(x.data(), batch), y.data(), batch, false);
                break;
            case product::input_gradient:
                gemm(in, batch, out, kernels::row_major(w.data(), in).transposed(),
                     kernels::row_major(dy.data(), batch), dx.data(), batch, false);
                break;
            case product::weight_gradient:
                gemm(out, in, batch, kernels::row_major(dy.data(), batch),
                     kernels::row_major(x.data(), batch).transposed(), dw.data(), in, false);
                break;
        }
    };
    for (auto _ : state) {
        run();
        benchmark::ClobberMemory();
    }
    const double flops = 2.0 * double(in) * double(out) * double(batch);
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void lenet_shapes(benchmark::internal::Benchmark* b) {
    b->Args({784, 300})->Args({300, 100})->Args({100, 10})->ArgNames({"in", "out"});
}

void dense_forward(benchmark::State& s) { bench_dense<false>(s, product::forward); }
void dense_input_gradient(benchmark::State& s) { bench_dense<false>(s, product::input_gradient); }
void dense_weight_gradient(benchmark::State& s) { bench_dense<false>(s, product::weight_gradient); }
void reference_forward(benchmark::State& s) { bench_dense<true>(s, product::forward); }

}  // namespace

BENCHMARK(dense_forward)->Apply(lenet_shapes);
BENCHMARK(dense_input_gradient)->Apply(lenet_shapes);
BENCHMARK(dense_weight_gradient)->Apply(lenet_shapes);
BENCHMARK(reference_forward)->Args({784, 300})->ArgNames({"in", "out"});

BENCHMARK_MAIN();
