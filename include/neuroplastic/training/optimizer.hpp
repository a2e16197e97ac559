// Optimisers: SGD (with momentum, Nesterov momentum and weight decay), Adam and AdamW. Each
// follows PyTorch's update rules exactly, so results can be compared value for value:
//   SGD:   g = grad + wd w;  v = mu v + g (v starts at 0);  w -= lr (nesterov ? g + mu v : v)
//   Adam:  g = grad + wd w;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//          w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//   AdamW: as Adam without the wd term in g, after w -= lr wd w (Loshchilov and Hutter,
//          "Decoupled weight decay regularization", ICLR 2019).
// Weight decay applies only to parameters that ask for it (weights, not biases).
// Kingma and Ba, "Adam: a method for stochastic optimization", ICLR 2015.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

#include "../core/parameter.hpp"
#include "../kernels/simd.hpp"

namespace neuroplastic {

/// What the trainer needs of an optimiser: a call before each step's updates and an update of
/// one parameter with the step's learning rate.
template <class O>
concept optimizer = requires(O& o, parameter& p, float rate) {
    o.begin_step();
    o.update(p, rate);
};

/// Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.
struct sgd {
    float momentum = 0.0f;
    bool nesterov = false;
    float weight_decay = 0.0f;

    void begin_step() noexcept {}

    void update(parameter& p, float rate) const {
        std::span<float> w = p.value();
        std::span<const float> grad = p.gradient();
        const float decay = p.decays() ? weight_decay : 0.0f;
        const std::size_t n = w.size();
        if (momentum == 0.0f) {
            for (std::size_t i = 0; i < n; ++i) w[i] -= rate * (grad[i] + decay * w[i]);
            return;
        }
        // The velocity starts at zero, so the first step sets it to g, as PyTorch does.
        std::span<float> v = p.state(0);
        const simd::vec mu = simd::broadcast(momentum), lr = simd::broadcast(rate);
        const simd::vec wd = simd::broadcast(decay);
        std::size_t i = 0;
        for (; i + simd::width <= n; i += simd::width) {
            const simd::vec wi = simd::load_unaligned(w.data() + i);
            const simd::vec g = simd::fma(wd, wi, simd::load_unaligned(grad.data() + i));
            const simd::vec vi = simd::fma(mu, simd::load_unaligned(v.data() + i), g);
            simd::store_unaligned(v.data() + i, vi);
            const simd::vec step = nesterov ? simd::fma(mu, vi, g) : vi;
            simd::store_unaligned(w.data() + i, wi - lr * step);
        }
        for (; i < n; ++i) {
            const float g = grad[i] + decay * w[i];
            v[i] = momentum * v[i] + g;
            w[i] -= rate * (nesterov ? g + momentum * v[i] : v[i]);
        }
    }
};

/// Adam; with `decoupled` set it is AdamW (see the `adamw` helper).
struct adam {
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float epsilon = 1e-8f;
    float weight_decay = 0.0f;
    bool decoupled = false;

    /// Steps taken so far, for the bias corrections.
    std::uint64_t steps = 0;

    void begin_step() noexcept { ++steps; }

    void update(parameter& p, float rate) const {
        std::span<float> w = p.value();
        std::span<const float> grad = p.gradient();
        std::span<float> m = p.state(0);
        std::span<float> v = p.state(1);
        const float decay = p.decays() ? weight_decay : 0.0f;
        const double t = static_cast<double>(steps == 0 ? 1 : steps);
        const auto correction1 = static_cast<float>(1.0 - std::pow(double(beta1), t));
        const auto root_correction2 =
            static_cast<float>(std::sqrt(1.0 - std::pow(double(beta2), t)));
        const float step_size = rate / correction1;
        const float shrink = decoupled ? 1.0f - rate * decay : 1.0f;
        const float l2 = decoupled ? 0.0f : decay;
        const std::size_t n = w.size();
        for (std::size_t i = 0; i < n; ++i) {
            const float wi = w[i] * shrink;
            const float g = grad[i] + l2 * wi;
            m[i] = beta1 * m[i] + (1.0f - beta1) * g;
            v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;
            w[i] = wi - step_size * m[i] / (std::sqrt(v[i]) / root_correction2 + epsilon);
        }
    }
};

/// AdamW with PyTorch's defaults (weight decay 0.01).
[[nodiscard]] inline adam adamw(float weight_decay = 0.01f, float beta1 = 0.9f,
                                float beta2 = 0.999f, float epsilon = 1e-8f) noexcept {
    return adam{beta1, beta2, epsilon, weight_decay, true};
}

}  // namespace neuroplastic
