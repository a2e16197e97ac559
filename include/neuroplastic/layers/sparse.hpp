// A sparse layer: y = W x + b where W holds only its live connections, in a connection table
// (topology/connection_table.hpp). Weights, their gradients and optimiser state exist per live
// connection (plus a little slack per row); the forward product, the gradient to the inputs and
// the weight gradient cost in proportion to the live connections. The topology engine
// (topology/) prunes and grows connections between steps.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "../core/layer.hpp"
#include "../core/random.hpp"
#include "../kernels/elementwise.hpp"
#include "../kernels/gemm.hpp"
#include "../kernels/sparse.hpp"
#include "../topology/connection_table.hpp"
#include "activity.hpp"

namespace neuroplastic {

/// Specification of a sparse layer of `Width` neurons. Until its topology is set (by a topology
/// policy, or `connect_random`), every connection is live and it computes what dense<Width> does.
template <std::size_t Width>
struct sparse {
    static constexpr std::size_t output_size(std::size_t) noexcept { return Width; }

    template <std::size_t InputSize>
    class layer;
};

template <std::size_t Width>
template <std::size_t InputSize>
class sparse<Width>::layer {
public:
    static constexpr std::size_t input_size = InputSize;
    static constexpr std::size_t output_size = Width;
    /// Every possible connection.
    static constexpr std::size_t dense_size = Width * InputSize;

    static std::string signature() {
        return "sparse<" + std::to_string(InputSize) + ", " + std::to_string(Width) + ">";
    }

    layer()
        : table_(Width, InputSize),
          weights_("weights", 0, true),
          bias_("bias", Width, false),
          activity_(Width) {
        std::vector<std::uint64_t> all(dense_size);
        for (std::size_t p = 0; p < dense_size; ++p) all[p] = p;
        assign(all);
    }

    /// Draws the weights of the live connections: N(0, 2 / fan_in) with the *live* fan-in,
    /// density * input_size (He initialisation for the connections that exist; the dense fan-in
    /// would make sparse layers start too small). Biases start at zero.
    void initialize(rng& g) {
        const float stddev = initial_stddev();
        std::ranges::fill(weights_.value(), 0.0f);
        table_.for_each([&](std::size_t, std::size_t, std::size_t slot) {
            weights_.value()[slot] = g.normal(0.0f, stddev);
        });
        std::ranges::fill(bias_.value(), 0.0f);
        weights_.clear_state();
    }

    /// The standard deviation `initialize` draws from, for the current density.
    [[nodiscard]] float initial_stddev() const noexcept {
        const double fan_in = std::max(1.0, density() * double(InputSize));
        return static_cast<float>(std::sqrt(2.0 / fan_in));
    }

    /// A new topology of `live` connections chosen uniformly at random, and new weights.
    void connect_random(std::size_t live, rng& g) {
        if (live > dense_size) {
            throw argument_error("sparse layer: " + std::to_string(live) +
                                 " connections asked for, " + "at most " +
                                 std::to_string(dense_size) + " exist");
        }
        // Selection sampling (Knuth, TAOCP vol. 2, 3.4.2, algorithm S): one pass, sorted output.
        std::vector<std::uint64_t> chosen;
        chosen.reserve(live);
        std::size_t needed = live;
        for (std::size_t p = 0; p < dense_size && needed > 0; ++p) {
            if (g.below(dense_size - p) < needed) {
                chosen.push_back(p);
                --needed;
            }
        }
        assign(chosen);
        initialize(g);
    }

    /// Makes exactly the connections `positions` (output * input_size + input, ascending) live,
    /// with zero weights.
    void assign(std::span<const std::uint64_t> positions) {
        table_.assign(positions);
        weights_.reset(table_.capacity());
        activity_.reset();
    }

    void forward(matrix_view<const float> x, matrix_view<float> y, const pass_context& ctx) {
        kernels::sparse_forward(table_.by_rows(), weights_.value().data(), bias_.value().data(), x,
                                y, ctx.pool, &workspace_);
        if (ctx.training) activity_.observe(y);
    }

    void backward(matrix_view<const float> x, matrix_view<const float>, matrix_view<const float> dy,
                  matrix_view<float> dx, const pass_context& ctx) {
        // With an input gradient to form, both products in one pass that reads each row of dy
        // once for the two; without one (the first layer), the weight gradient alone.
        if (dx.empty()) {
            kernels::sparse_weight_gradient(table_.by_rows(), x, dy, weights_.gradient().data(),
                                            ctx.pool, &workspace_);
        } else {
            kernels::sparse_backward(table_.by_columns(), weights_.value().data(), x, dy, dx,
                                     weights_.gradient().data(), ctx.pool);
        }
        kernels::row_sums(dy, bias_.gradient().data());
        if (ctx.dense_gradients) {
            // dL/dW for every possible connection, for the topology engine: dy x^T. This product
            // costs the dense size (the dense layer's weight gradient): at global density 0.02 a
            // RigL update of LeNet-300-100 costs 8-10 ordinary steps, about seven of them this
            // product (docs/limits.md). A cheaper route would score only a sample of the
            // absent connections.
            if (dense_gradient_.size() != dense_size) dense_gradient_.assign_zeros(dense_size);
            kernels::gemm(Width, InputSize, dy.stride, kernels::row_major(dy.data, dy.stride),
                          kernels::row_major(x.data, x.stride).transposed(), dense_gradient_.data(),
                          InputSize, false, ctx.pool);
        }
    }

    template <class F>
    void for_each_parameter(F&& f) {
        f(weights_);
        f(bias_);
    }
    template <class F>
    void for_each_parameter(F&& f) const {
        f(weights_);
        f(bias_);
    }

    [[nodiscard]] std::size_t live_connections() const noexcept { return table_.live(); }
    [[nodiscard]] double density() const noexcept { return table_.density(); }

    /// The weight of connection (o, i), 0 if it is absent.
    [[nodiscard]] float weight(std::size_t o, std::size_t i) const noexcept {
        const std::size_t slot = table_.find(o, i);
        return slot == connection_table::npos ? 0.0f : weights_.value()[slot];
    }
    /// Sets the weight of a live connection; throws argument_error if (o, i) is absent.
    void set_weight(std::size_t o, std::size_t i, float w) {
        const std::size_t slot = table_.find(o, i);
        if (slot == connection_table::npos) {
            throw argument_error("sparse layer: connection (" + std::to_string(o) + ", " +
                                 std::to_string(i) + ") is not live");
        }
        weights_.value()[slot] = w;
    }
    [[nodiscard]] float& bias(std::size_t o) noexcept { return bias_.value()[o]; }
    [[nodiscard]] float bias(std::size_t o) const noexcept { return bias_.value()[o]; }

    /// The live connections; rewire them through `rewire` so the weights move along.
    [[nodiscard]] const connection_table& connections() const noexcept { return table_; }
    /// The weights, one per slot of the connection table.
    [[nodiscard]] parameter& weights() noexcept { return weights_; }
    [[nodiscard]] const parameter& weights() const noexcept { return weights_; }
    [[nodiscard]] parameter& biases() noexcept { return bias_; }
    [[nodiscard]] const parameter& biases() const noexcept { return bias_; }

    /// Removes the connections in slots `removed` and adds `added` with weights `values`, their
    /// optimiser state starting at zero (connection_table::rewire).
    void rewire(std::span<const std::uint32_t> removed, std::span<const connection> added,
                std::span<const float> values) {
        table_.rewire(removed, added, weights_, values);
    }

    /// The dense gradient formed by the last backward pass run with `dense_gradients`, as
    /// output x input row-major; empty if none was formed since the last release.
    [[nodiscard]] std::span<const float> dense_gradient() const noexcept { return dense_gradient_; }
    /// Frees the dense gradient, so memory between updates stays in proportion to the live
    /// connections.
    void release_dense_gradient() noexcept { dense_gradient_ = aligned_buffer<float>(); }

    [[nodiscard]] neuron_activity& activity() noexcept { return activity_; }
    [[nodiscard]] const neuron_activity& activity() const noexcept { return activity_; }

private:
    connection_table table_;
    parameter weights_;
    parameter bias_;
    neuron_activity activity_;
    aligned_buffer<float> dense_gradient_;
    kernels::sparse_workspace workspace_;  // the products by rows copy their inputs into it
};

}  // namespace neuroplastic
