// The sparse kernels against the dense ones at the 784 -> 300 layer of LeNet-300-100 (batch 128,
// one thread): each product of a sparse layer alone, the fused backward pass (both gradients in
// one pass), and a whole step as the layer runs it (forward, then the fused backward pass) at
// densities 0.1, 0.05 and 0.01, beside the same three products dense. Where Eigen was found, its
// sparse-times-dense and dense products of the forward shape are run too. GFLOP/s counts useful
// work only: 2 x live connections x batch per product.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <neuroplastic/core/aligned_buffer.hpp>
#include <neuroplastic/core/batch.hpp>
#include <neuroplastic/core/random.hpp>
#include <neuroplastic/kernels/gemm.hpp>
#include <neuroplastic/kernels/sparse.hpp>

#if NEUROPLASTIC_BENCH_EIGEN
#include <Eigen/Dense>
#include <Eigen/Sparse>
#endif

namespace npl = neuroplastic;
namespace kernels = neuroplastic::kernels;

namespace {

constexpr std::size_t inputs = 784, outputs = 300, batch = 128;

npl::aligned_buffer<float> random_buffer(std::size_t n, std::uint64_t seed) {
    npl::aligned_buffer<float> b(n);
    npl::rng g(seed);
    for (float& x : b) x = g.uniform(-1.0f, 1.0f);
    return b;
}

// A 300 x 784 layer whose connections are present independently with probability `density`, in
// compressed rows without slack and the transposed index; the activations of a batch beside it.
struct sparse_layer {
    std::vector<std::uint32_t> row_begin, row_count, column;
    std::vector<std::uint32_t> col_begin, entry_row, entry_slot;
    std::vector<float> weights, bias;
    npl::aligned_buffer<float> x, dy, y, dx, gradient;
    kernels::sparse_workspace workspace;  // as the layer keeps one

    explicit sparse_layer(double density)
        : row_begin(outputs),
          row_count(outputs),
          bias(outputs, 0.5f),
          x(random_buffer(inputs * batch, 2)),
          dy(random_buffer(outputs * batch, 3)),
          y(outputs * batch),
          dx(inputs * batch) {
        npl::rng g(1);
        for (std::size_t o = 0; o < outputs; ++o) {
            row_begin[o] = static_cast<std::uint32_t>(column.size());
            for (std::size_t i = 0; i < inputs; ++i) {
                if (g.uniform() >= density) continue;
                column.push_back(static_cast<std::uint32_t>(i));
                weights.push_back(g.uniform(-1.0f, 1.0f));
            }
            row_count[o] = static_cast<std::uint32_t>(column.size() - row_begin[o]);
        }
        gradient = npl::aligned_buffer<float>(column.size());

        col_begin.assign(inputs + 1, 0);
        for (std::uint32_t i : column) ++col_begin[i + 1];
        for (std::size_t i = 0; i < inputs; ++i) col_begin[i + 1] += col_begin[i];
        entry_row.resize(column.size());
        entry_slot.resize(column.size());
        std::vector<std::uint32_t> next(col_begin.begin(), col_begin.end() - 1);
        for (std::size_t o = 0; o < outputs; ++o) {
            for (std::size_t s = row_begin[o]; s < row_begin[o] + row_count[o]; ++s) {
                const std::uint32_t e = next[column[s]]++;
                entry_row[e] = static_cast<std::uint32_t>(o);
                entry_slot[e] = static_cast<std::uint32_t>(s);
            }
        }
    }

    [[nodiscard]] std::size_t live() const noexcept { return column.size(); }
    [[nodiscard]] kernels::sparse_rows by_rows() const noexcept {
        return {outputs, inputs, row_begin.data(), row_count.data(), column.data()};
    }
    [[nodiscard]] kernels::sparse_columns by_columns() const noexcept {
        return {outputs, inputs, col_begin.data(), entry_row.data(), entry_slot.data()};
    }

    void forward() {
        kernels::sparse_forward(by_rows(), weights.data(), bias.data(),
                                {x.data(), inputs, batch, batch}, {y.data(), outputs, batch, batch},
                                nullptr, &workspace);
    }
    void input_gradient() {
        kernels::sparse_backward_input(by_columns(), weights.data(),
                                       {dy.data(), outputs, batch, batch},
                                       {dx.data(), inputs, batch, batch});
    }
    void backward() {
        kernels::sparse_backward(by_columns(), weights.data(), {x.data(), inputs, batch, batch},
                                 {dy.data(), outputs, batch, batch},
                                 {dx.data(), inputs, batch, batch}, gradient.data());
    }
    void weight_gradient() {
        kernels::sparse_weight_gradient(by_rows(), {x.data(), inputs, batch, batch},
                                        {dy.data(), outputs, batch, batch}, gradient.data(),
                                        nullptr, &workspace);
    }
};

void set_rate(benchmark::State& state, double flops) {
    state.counters["GFLOP/s"] =
        benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

enum class step { forward, input_gradient, weight_gradient, backward, all };

double density_of(const benchmark::State& state) { return double(state.range(0)) / 1000.0; }

void bench_sparse(benchmark::State& state, step which) {
    sparse_layer layer(density_of(state));
    for (auto _ : state) {
        if (which == step::forward || which == step::all) layer.forward();
        if (which == step::input_gradient) layer.input_gradient();
        if (which == step::weight_gradient) layer.weight_gradient();
        if (which == step::backward || which == step::all) layer.backward();
        benchmark::ClobberMemory();
    }
    const double products = which == step::all ? 3.0 : which == step::backward ? 2.0 : 1.0;
    set_rate(state, products * 2.0 * double(layer.live()) * double(batch));
    state.counters["live"] = double(layer.live());
}

void bench_dense(benchmark::State& state, step which) {
    const auto w = random_buffer(outputs * inputs, 1), x = random_buffer(inputs * batch, 2);
    const auto dy = random_buffer(outputs * batch, 3);
    npl::aligned_buffer<float> y(outputs * batch), dx(inputs * batch), dw(outputs * inputs);
    for (auto _ : state) {
        if (which == step::forward || which == step::all) {
            kernels::gemm(outputs, batch, inputs, kernels::row_major(w.data(), inputs),
                          kernels::row_major(x.data(), batch), y.data(), batch, false);
        }
        if (which == step::input_gradient || which == step::all) {
            kernels::gemm(inputs, batch, outputs, kernels::row_major(w.data(), inputs).transposed(),
                          kernels::row_major(dy.data(), batch), dx.data(), batch, false);
        }
        if (which == step::weight_gradient || which == step::all) {
            kernels::gemm(outputs, inputs, batch, kernels::row_major(dy.data(), batch),
                          kernels::row_major(x.data(), batch).transposed(), dw.data(), inputs,
                          false);
        }
        benchmark::ClobberMemory();
    }
    const double products = which == step::all ? 3.0 : 1.0;
    set_rate(state, products * 2.0 * double(inputs) * double(outputs) * double(batch));
}

void dense_forward(benchmark::State& s) { bench_dense(s, step::forward); }
void dense_input_gradient(benchmark::State& s) { bench_dense(s, step::input_gradient); }
void dense_weight_gradient(benchmark::State& s) { bench_dense(s, step::weight_gradient); }
void dense_step(benchmark::State& s) { bench_dense(s, step::all); }
void sparse_forward(benchmark::State& s) { bench_sparse(s, step::forward); }
void sparse_input_gradient(benchmark::State& s) { bench_sparse(s, step::input_gradient); }
void sparse_weight_gradient(benchmark::State& s) { bench_sparse(s, step::weight_gradient); }
void sparse_backward(benchmark::State& s) { bench_sparse(s, step::backward); }
void sparse_step(benchmark::State& s) { bench_sparse(s, step::all); }

#if NEUROPLASTIC_BENCH_EIGEN
using row_major_matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr auto eigen_inputs = static_cast<Eigen::Index>(inputs);
constexpr auto eigen_outputs = static_cast<Eigen::Index>(outputs);
constexpr auto eigen_batch = static_cast<Eigen::Index>(batch);

row_major_matrix random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
    row_major_matrix m(rows, cols);
    npl::rng g(seed);
    for (Eigen::Index r = 0; r < rows; ++r) {
        for (Eigen::Index c = 0; c < cols; ++c) m(r, c) = g.uniform(-1.0f, 1.0f);
    }
    return m;
}

// Eigen's row-major sparse matrix times a row-major dense batch: the forward product, with the
// same positions as the layer above of that density.
void eigen_sparse_forward(benchmark::State& state) {
    const sparse_layer layer(density_of(state));
    std::vector<Eigen::Triplet<float>> triplets;
    for (std::size_t o = 0; o < outputs; ++o) {
        for (std::size_t s = layer.row_begin[o]; s < layer.row_begin[o] + layer.row_count[o]; ++s) {
            triplets.emplace_back(static_cast<Eigen::Index>(o),
                                  static_cast<Eigen::Index>(layer.column[s]), layer.weights[s]);
        }
    }
    Eigen::SparseMatrix<float, Eigen::RowMajor> w(eigen_outputs, eigen_inputs);
    w.setFromTriplets(triplets.begin(), triplets.end());
    const row_major_matrix x = random_matrix(eigen_inputs, eigen_batch, 2);
    row_major_matrix y(eigen_outputs, eigen_batch);
    for (auto _ : state) {
        y.noalias() = w * x;
        benchmark::ClobberMemory();
    }
    set_rate(state, 2.0 * double(layer.live()) * double(batch));
    state.counters["live"] = double(layer.live());
}

void eigen_dense_forward(benchmark::State& state) {
    const row_major_matrix w = random_matrix(eigen_outputs, eigen_inputs, 1);
    const row_major_matrix x = random_matrix(eigen_inputs, eigen_batch, 2);
    row_major_matrix y(eigen_outputs, eigen_batch);
    for (auto _ : state) {
        y.noalias() = w * x;
        benchmark::ClobberMemory();
    }
    set_rate(state, 2.0 * double(inputs) * double(outputs) * double(batch));
}
#endif

// With repetitions, the fastest one as well as the mean, median and spread: on a shared host the
// fastest repetition estimates a kernel's time without the host's load best, and with
// --benchmark_enable_random_interleaving the load falls on the dense and sparse steps alike.
// Google Benchmark applies the statistic to the counters too, so the GFLOP/s of a "_min" row is
// the lowest rate of any repetition, not the rate of the fastest one.
double fastest(const std::vector<double>& times) {
    return times.empty() ? 0.0 : *std::min_element(times.begin(), times.end());
}

void with_min(benchmark::internal::Benchmark* b) { b->ComputeStatistics("min", fastest); }

void densities(benchmark::internal::Benchmark* b) {
    b->Arg(100)->Arg(50)->Arg(10)->ArgName("per_mille");
    with_min(b);
}

}  // namespace

BENCHMARK(dense_forward)->Apply(with_min);
BENCHMARK(dense_input_gradient)->Apply(with_min);
BENCHMARK(dense_weight_gradient)->Apply(with_min);
BENCHMARK(dense_step)->Apply(with_min);
BENCHMARK(sparse_forward)->Apply(densities);
BENCHMARK(sparse_input_gradient)->Apply(densities);
BENCHMARK(sparse_weight_gradient)->Apply(densities);
BENCHMARK(sparse_backward)->Apply(densities);
BENCHMARK(sparse_step)->Apply(densities);
#if NEUROPLASTIC_BENCH_EIGEN
BENCHMARK(eigen_sparse_forward)->Arg(100)->Arg(10)->ArgName("per_mille");
BENCHMARK(eigen_dense_forward);
#endif

BENCHMARK_MAIN();
