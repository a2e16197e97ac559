// Element-wise activations: relu, leaky_relu, tanh, sigmoid. Each is a layer specification that
// keeps its input width. Every function is written twice, once on SIMD registers for the layer and
// once on plain floats as the reference the tests compare the SIMD version against.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "../core/layer.hpp"
#include "../kernels/elementwise.hpp"
#include "../kernels/simd.hpp"

namespace neuroplastic {

/// The layer that applies `Function` to each of its `Width` inputs.
template <class Function, std::size_t Width>
class activation_layer {
public:
    static constexpr std::size_t input_size = Width;
    static constexpr std::size_t output_size = Width;

    static std::string signature() { return Function::name() + "<" + std::to_string(Width) + ">"; }

    void forward(matrix_view<const float> x, matrix_view<float> y, const pass_context&) noexcept {
        kernels::map(x.data, y.data, x.rows * x.stride,
                     [](simd::vec v) { return Function::apply(v); });
    }

    void backward(matrix_view<const float> x, matrix_view<const float> y,
                  matrix_view<const float> dy, matrix_view<float> dx,
                  const pass_context&) noexcept {
        if (dx.empty()) return;
        kernels::map_backward(x.data, y.data, dy.data, dx.data, x.rows * x.stride,
                              [](simd::vec xv, simd::vec yv, simd::vec dyv) {
                                  return Function::backward(xv, yv, dyv);
                              });
    }
};

/// Makes an element-wise function into a layer specification.
template <class Function>
struct elementwise_spec {
    static constexpr std::size_t output_size(std::size_t input_size) noexcept { return input_size; }

    template <std::size_t InputSize>
    using layer = activation_layer<Function, InputSize>;
};

/// max(x, 0). Its derivative at 0 is taken as 0, as in PyTorch; a NaN input gives NaN, as in
/// PyTorch and std::max, so a fault upstream shows in the loss.
struct relu_function {
    static std::string name() { return "relu"; }
    static simd::vec apply(simd::vec x) noexcept {
        const simd::vec zero = simd::broadcast(0.0f);
        return simd::select(x < zero, zero, x);
    }
    static simd::vec backward(simd::vec, simd::vec y, simd::vec dy) noexcept {
        return simd::select(y > simd::broadcast(0.0f), dy, simd::broadcast(0.0f));
    }
    static float reference(float x) noexcept { return x < 0.0f ? 0.0f : x; }
    static float reference_derivative(float x) noexcept { return x > 0.0f ? 1.0f : 0.0f; }
};

/// x for x > 0, slope * x otherwise, with slope = Numerator / Denominator (0.01 by default).
template <int Numerator = 1, int Denominator = 100>
struct leaky_relu_function {
    static_assert(Denominator > 0, "neuroplastic: leaky_relu needs a positive denominator");
    static constexpr float slope = static_cast<float>(Numerator) / static_cast<float>(Denominator);
    static std::string name() {
        return "leaky_relu(" + std::to_string(Numerator) + "/" + std::to_string(Denominator) + ")";
    }

    static simd::vec apply(simd::vec x) noexcept {
        return simd::select(x > simd::broadcast(0.0f), x, x * simd::broadcast(slope));
    }
    static simd::vec backward(simd::vec x, simd::vec, simd::vec dy) noexcept {
        return simd::select(x > simd::broadcast(0.0f), dy, dy * simd::broadcast(slope));
    }
    static float reference(float x) noexcept { return x > 0.0f ? x : slope * x; }
    static float reference_derivative(float x) noexcept { return x > 0.0f ? 1.0f : slope; }
};

/// The hyperbolic tangent; its derivative is 1 - y^2.
struct tanh_function {
    static std::string name() { return "tanh"; }
    static simd::vec apply(simd::vec x) noexcept { return simd::tanh(x); }
    static simd::vec backward(simd::vec, simd::vec y, simd::vec dy) noexcept {
        return dy * (simd::broadcast(1.0f) - y * y);
    }
    static float reference(float x) noexcept { return std::tanh(x); }
    static float reference_derivative(float x) noexcept {
        const float t = std::tanh(x);
        return 1.0f - t * t;
    }
};

/// The logistic function 1 / (1 + e^-x); its derivative is y (1 - y).
struct sigmoid_function {
    static std::string name() { return "sigmoid"; }
    static simd::vec apply(simd::vec x) noexcept {
        // For x below about -88, e^-x overflows to infinity and the quotient is 0, as it should be.
        const simd::vec one = simd::broadcast(1.0f);
        return one / (one + simd::exp(-x));
    }
    static simd::vec backward(simd::vec, simd::vec y, simd::vec dy) noexcept {
        return dy * y * (simd::broadcast(1.0f) - y);
    }
    static float reference(float x) noexcept {
        return x >= 0.0f ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x));
    }
    static float reference_derivative(float x) noexcept {
        const float s = reference(x);
        return s * (1.0f - s);
    }
};

/// Rectified linear unit.
using relu = elementwise_spec<relu_function>;
/// Leaky rectified linear unit with slope Numerator / Denominator below zero.
template <int Numerator = 1, int Denominator = 100>
using leaky_relu = elementwise_spec<leaky_relu_function<Numerator, Denominator>>;
/// Hyperbolic tangent.
using tanh = elementwise_spec<tanh_function>;
/// Logistic sigmoid.
using sigmoid = elementwise_spec<sigmoid_function>;

}  // namespace neuroplastic
