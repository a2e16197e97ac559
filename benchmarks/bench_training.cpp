// One whole training step of LeNet-300-100 at batch 128 (forward, fused softmax cross-entropy,
// backward, SGD with Nesterov momentum), on one thread and on two. Useful work per step is
// 2 x 266,200 x 128 flops for the forward products, as much for the weight gradients, and
// 2 x 31,000 x 128 for the input gradients of the last two layers.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <neuroplastic/neuroplastic.hpp>

namespace npl = neuroplastic;

namespace {

using lenet = npl::network<npl::input<784>, npl::dense<300>, npl::relu, npl::dense<100>, npl::relu,
                           npl::dense<10>>;

void bench_lenet_step(benchmark::State& state) {
    const auto threads = static_cast<std::size_t>(state.range(0));
    constexpr std::size_t batch = 128;
    lenet net(1);
    npl::rng g(2);
    npl::batch<784> x(batch);
    for (std::size_t f = 0; f < 784; ++f) {
        for (std::size_t s = 0; s < batch; ++s) x(f, s) = g.uniform();
    }
    std::vector<std::uint32_t> labels(batch);
    for (auto& l : labels) l = static_cast<std::uint32_t>(g.below(10));
    npl::trainer trainer(net, npl::softmax_cross_entropy<>{},
                         npl::sgd{.momentum = 0.9f, .nesterov = true},
                         npl::constant_schedule{.base_rate = 0.01f});
    trainer.use_threads(threads);
    for (auto _ : state) benchmark::DoNotOptimize(trainer.step(x, labels, 0.01f));

    const double flops =
        2.0 * batch * (2.0 * (784 * 300 + 300 * 100 + 100 * 10) + 300 * 100 + 100 * 10);
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["epoch_s"] = benchmark::Counter(
        1.0 / 469.0, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(bench_lenet_step)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
