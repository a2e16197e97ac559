// The cost of a topology update against the cost of an ordinary step, for sparse LeNet-300-100
// (all three layers sparse, ERK densities) at batch 128 on one thread:
//
// - ordinary_step: forward, loss, backward and SGD update, no dense gradient;
// - dense_gradient_step: the same step forming the dense gradients an update needs;
// - rigl_update: the update itself, after such a step (prune, grow, rewire every layer).
//
// A RigL update costs (dense_gradient_step - ordinary_step) + rigl_update; docs/benchmarks.md
// compares that with ten ordinary steps.
//
// Apart from a network, on one 784 x 300 layer with 30 % of its connections replaced:
//
// - prune: the smallest live weights (prune_smallest);
// - grow: the absent connections of largest |score|, scores N(0, 1) (grow_largest);
// - rewire: replacing the pruned connections by the grown ones (connection_table::rewire, with
//   the weights and the optimiser's gradient; rows that outgrow their slack lay the table out
//   again, which the `repacks` counter shows).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include <neuroplastic/neuroplastic.hpp>

namespace npl = neuroplastic;

namespace {

using sparse_lenet = npl::network<npl::input<784>, npl::sparse<300>, npl::relu, npl::sparse<100>,
                                  npl::relu, npl::sparse<10>>;

struct fixture {
    sparse_lenet net{1};
    npl::batch<784> x{128};
    std::vector<std::uint32_t> labels = std::vector<std::uint32_t>(128);
    npl::softmax_cross_entropy<> loss;
    npl::batch<10> gradient{128};
    npl::sgd optimizer{.momentum = 0.9f, .nesterov = true};
    npl::topology::controller<sparse_lenet> control;

    explicit fixture(double density)
        : control(net, npl::topology::rigl{.density = density, .update_interval = 1, .end = 1.0}) {
        npl::rng g(2);
        for (std::size_t f = 0; f < 784; ++f) {
            for (std::size_t s = 0; s < 128; ++s) x(f, s) = g.uniform();
        }
        for (auto& l : labels) l = static_cast<std::uint32_t>(g.below(10));
    }

    void step(bool dense_gradients) {
        npl::pass_context ctx;
        ctx.dense_gradients = dense_gradients;
        loss.forward_backward(net.forward(x, ctx).view(), labels, gradient.view());
        net.backward(x, gradient.view(), ctx);
        optimizer.begin_step();
        net.for_each_parameter([&](npl::parameter& p) { optimizer.update(p, 0.01f); });
    }
};

double density_of(const benchmark::State& state) { return double(state.range(0)) / 1000.0; }

void ordinary_step(benchmark::State& state) {
    fixture f(density_of(state));
    for (auto _ : state) f.step(false);
}

void dense_gradient_step(benchmark::State& state) {
    fixture f(density_of(state));
    for (auto _ : state) {
        f.step(true);
        state.PauseTiming();
        f.net.for_each_layer([](auto& l) {
            if constexpr (npl::topology::plastic_layer<std::remove_cvref_t<decltype(l)>>) {
                l.release_dense_gradient();
            }
        });
        state.ResumeTiming();
    }
}

void rigl_update(benchmark::State& state) {
    fixture f(density_of(state));
    for (auto _ : state) {
        state.PauseTiming();
        f.step(true);
        state.ResumeTiming();
        // Steps far below `end` keep the drop fraction near its initial 0.3.
        benchmark::DoNotOptimize(f.control.after_step(1, 1000000, 1000000, 1));
    }
}

struct rule_fixture {
    npl::sparse<300>::layer<784> layer;
    std::vector<float> scores = std::vector<float>(300 * 784);
    std::vector<std::uint32_t> pruned;

    explicit rule_fixture(double density) {
        npl::rng g(3);
        layer.connect_random(static_cast<std::size_t>(density * 300 * 784), g);
        for (float& s : scores) s = g.normal();
        pruned = prune(layer.connections().live() * 3 / 10);
    }
    [[nodiscard]] std::vector<std::uint32_t> prune(std::size_t k) const {
        return npl::topology::prune_smallest(layer.connections(), layer.weights().value(), k);
    }
};

void prune(benchmark::State& state) {
    const rule_fixture f(density_of(state));
    for (auto _ : state) benchmark::DoNotOptimize(f.prune(f.pruned.size()));
}

void grow(benchmark::State& state) {
    const rule_fixture f(density_of(state));
    for (auto _ : state) {
        benchmark::DoNotOptimize(npl::topology::grow_largest(f.layer.connections(), f.pruned,
                                                             f.scores, f.pruned.size()));
    }
}

void rewire(benchmark::State& state) {
    const rule_fixture f(density_of(state));
    const auto grown =
        npl::topology::grow_largest(f.layer.connections(), f.pruned, f.scores, f.pruned.size());
    const std::vector<float> zeros(grown.size(), 0.0f);
    std::size_t repacks = 0;
    auto copy = f.layer;
    for (auto _ : state) {
        state.PauseTiming();
        copy = f.layer;
        state.ResumeTiming();
        copy.rewire(f.pruned, grown, zeros);
        repacks += copy.connections().repacks();
    }
    state.counters["repacks"] = double(repacks) / double(state.iterations());
}

}  // namespace

// The argument is the global density in thousandths.
BENCHMARK(ordinary_step)
    ->Arg(100)
    ->Arg(20)
    ->ArgName("density_permille")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(dense_gradient_step)
    ->Arg(100)
    ->Arg(20)
    ->ArgName("density_permille")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(rigl_update)
    ->Arg(100)
    ->Arg(20)
    ->ArgName("density_permille")
    ->Unit(benchmark::kMillisecond);

// The argument is the layer's density in thousandths.
BENCHMARK(prune)->Arg(100)->Arg(15)->ArgName("density_permille")->Unit(benchmark::kMillisecond);
BENCHMARK(grow)->Arg(100)->Arg(15)->ArgName("density_permille")->Unit(benchmark::kMillisecond);
BENCHMARK(rewire)->Arg(100)->Arg(15)->ArgName("density_permille")->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
