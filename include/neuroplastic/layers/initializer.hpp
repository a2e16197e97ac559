// Initial weights for layers with fan-in and fan-out: He (Kaiming) and Glorot (Xavier), each
// normal or uniform. He, Zhang, Ren and Sun, "Delving deep into rectifiers", ICCV 2015: variance
// 2 / fan_in keeps ReLU activations at constant scale. Glorot and Bengio, "Understanding the
// difficulty of training deep feedforward neural networks", AISTATS 2010: variance
// 2 / (fan_in + fan_out) for symmetric activations.
#pragma once

#include <cmath>
#include <cstddef>
#include <span>

#include "../core/random.hpp"

namespace neuroplastic {

/// N(0, 2 / fan_in).
struct he_normal {
    static void fill(std::span<float> w, std::size_t fan_in, std::size_t, rng& g) {
        const float stddev = std::sqrt(2.0f / static_cast<float>(fan_in));
        for (float& x : w) x = g.normal(0.0f, stddev);
    }
};

/// U(-a, a) with a = sqrt(6 / fan_in): variance 2 / fan_in.
struct he_uniform {
    static void fill(std::span<float> w, std::size_t fan_in, std::size_t, rng& g) {
        const float a = std::sqrt(6.0f / static_cast<float>(fan_in));
        for (float& x : w) x = g.uniform(-a, a);
    }
};

/// N(0, 2 / (fan_in + fan_out)).
struct glorot_normal {
    static void fill(std::span<float> w, std::size_t fan_in, std::size_t fan_out, rng& g) {
        const float stddev = std::sqrt(2.0f / static_cast<float>(fan_in + fan_out));
        for (float& x : w) x = g.normal(0.0f, stddev);
    }
};

/// U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
struct glorot_uniform {
    static void fill(std::span<float> w, std::size_t fan_in, std::size_t fan_out, rng& g) {
        const float a = std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
        for (float& x : w) x = g.uniform(-a, a);
    }
};

/// An initialiser fills weights given the layer's fan-in and fan-out.
template <class I>
concept initializer = requires(std::span<float> w, std::size_t n, rng& g) {
    I::fill(w, n, n, g);
};

}  // namespace neuroplastic
