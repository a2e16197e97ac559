// A fully connected layer: y = W x + b, with W of shape output_size x input_size.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>

#include "../core/layer.hpp"
#include "../kernels/elementwise.hpp"
#include "../kernels/gemm.hpp"
#include "activity.hpp"
#include "initializer.hpp"

namespace neuroplastic {

/// Specification of a fully connected layer of `Width` neurons; `Init` draws its initial weights
/// (biases start at zero).
template <std::size_t Width, initializer Init = he_normal>
struct dense {
    static constexpr std::size_t output_size(std::size_t) noexcept { return Width; }

    template <std::size_t InputSize>
    class layer;
};

template <std::size_t Width, initializer Init>
template <std::size_t InputSize>
class dense<Width, Init>::layer {
public:
    static constexpr std::size_t input_size = InputSize;
    static constexpr std::size_t output_size = Width;

    static std::string signature() {
        return "dense<" + std::to_string(InputSize) + ", " + std::to_string(Width) + ">";
    }

    layer()
        : weights_("weights", Width * InputSize, true),
          bias_("bias", Width, false),
          activity_(Width) {}

    void initialize(rng& g) {
        Init::fill(weights_.value(), InputSize, Width, g);
        std::ranges::fill(bias_.value(), 0.0f);
    }

    void forward(matrix_view<const float> x, matrix_view<float> y, const pass_context& ctx) {
        kernels::broadcast_rows(bias_.value().data(), y);
        kernels::gemm(Width, x.stride, InputSize,
                      kernels::row_major(weights_.value().data(), InputSize),
                      kernels::row_major(x.data, x.stride), y.data, y.stride, true, ctx.pool);
        if (ctx.training) activity_.observe(y);
    }

    void backward(matrix_view<const float> x, matrix_view<const float>, matrix_view<const float> dy,
                  matrix_view<float> dx, const pass_context& ctx) {
        // dW = dy x^T: the padding of dy is zero, so summing over padded rows adds nothing.
        kernels::gemm(Width, InputSize, dy.stride, kernels::row_major(dy.data, dy.stride),
                      kernels::row_major(x.data, x.stride).transposed(), weights_.gradient().data(),
                      InputSize, false, ctx.pool);
        kernels::row_sums(dy, bias_.gradient().data());
        if (!dx.empty()) {
            // dx = W^T dy; zero columns of dy give zero columns of dx, so its padding stays zero.
            kernels::gemm(InputSize, dx.stride, Width,
                          kernels::row_major(weights_.value().data(), InputSize).transposed(),
                          kernels::row_major(dy.data, dy.stride), dx.data, dx.stride, false,
                          ctx.pool);
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

    /// W(o, i), the weight of the connection from input i to neuron o.
    [[nodiscard]] float& weight(std::size_t o, std::size_t i) noexcept {
        return weights_.value()[o * InputSize + i];
    }
    [[nodiscard]] float weight(std::size_t o, std::size_t i) const noexcept {
        return weights_.value()[o * InputSize + i];
    }
    [[nodiscard]] float& bias(std::size_t o) noexcept { return bias_.value()[o]; }
    [[nodiscard]] float bias(std::size_t o) const noexcept { return bias_.value()[o]; }

    /// Which neurons had a positive output since the activity was last reset.
    [[nodiscard]] neuron_activity& activity() noexcept { return activity_; }
    [[nodiscard]] const neuron_activity& activity() const noexcept { return activity_; }

    [[nodiscard]] parameter& weights() noexcept { return weights_; }
    [[nodiscard]] const parameter& weights() const noexcept { return weights_; }
    [[nodiscard]] parameter& biases() noexcept { return bias_; }
    [[nodiscard]] const parameter& biases() const noexcept { return bias_; }

private:
    parameter weights_;
    parameter bias_;
    neuron_activity activity_;
};

}  // namespace neuroplastic
