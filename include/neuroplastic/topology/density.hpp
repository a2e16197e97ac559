// How a global density is shared among a network's layers.
//
// - uniform: every sparse layer at the target density.
// - Erdős–Rényi (Mocanu et al., "Scalable training of artificial neural networks with
//   adaptive sparse connectivity inspired by network science", Nature Communications 2018): l's
//   density is proportional to (n_in + n_out) / (n_in * n_out), so small layers are denser.
// - Erdős–Rényi-kernel (Evci et al., "Rigging the lottery: making all tickets winners",
//   ICML 2020): the same with the kernel's height and width added to both sums; for fully
//   connected layers, the only ones here, it equals Erdős–Rényi.
//
// For the last two the scale is solved so that the live weights of all layers, dense layers
// counted whole, hit the global target; a layer whose density would exceed 1 is made dense and the
// scale solved again over the rest. Counts are rounded, and the largest sparse layer absorbs the
// rounding so the total is exact.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "../core/error.hpp"

namespace neuroplastic::topology {

enum class distribution { uniform, erdos_renyi, erdos_renyi_kernel };

/// The shape of one weight layer, and whether its connections are plastic.
struct layer_shape {
    std::size_t outputs = 0;
    std::size_t inputs = 0;
    bool sparse = true;

    [[nodiscard]] std::size_t weights() const noexcept { return outputs * inputs; }
};

[[nodiscard]] inline const char* name(distribution d) noexcept {
    switch (d) {
        case distribution::uniform:
            return "uniform";
        case distribution::erdos_renyi:
            return "er";
        case distribution::erdos_renyi_kernel:
            return "erk";
    }
    return "?";
}

/// The density of each layer (dense layers get 1) for a global target `density` in (0, 1].
[[nodiscard]] inline std::vector<double> layer_densities(std::span<const layer_shape> layers,
                                                         double density, distribution d) {
    if (!(density > 0.0 && density <= 1.0)) {
        throw argument_error("topology: the target density must be in (0, 1], found " +
                             std::to_string(density));
    }
    const std::size_t n = layers.size();
    std::vector<double> result(n, 1.0);
    if (density >= 1.0) return result;
    if (d == distribution::uniform) {
        for (std::size_t l = 0; l < n; ++l) result[l] = layers[l].sparse ? density : 1.0;
        return result;
    }
    double total = 0.0;
    for (const auto& l : layers) total += double(l.weights());
    const double budget = density * total;
    std::vector<bool> dense(n);
    for (std::size_t l = 0; l < n; ++l) dense[l] = !layers[l].sparse;
    for (;;) {
        double fixed = 0.0, scaled = 0.0;
        for (std::size_t l = 0; l < n; ++l) {
            const double w = double(layers[l].weights());
            const double raw = double(layers[l].inputs + layers[l].outputs) / w;
            if (dense[l]) {
                fixed += w;
            } else {
                scaled += raw * w;
            }
        }
        if (fixed > budget || scaled == 0.0) {
            throw argument_error("topology: a global density of " + std::to_string(density) +
                                 " leaves " + std::to_string(budget) + " weights, but the dense " +
                                 "layers alone hold " + std::to_string(fixed));
        }
        const double scale = (budget - fixed) / scaled;
        std::size_t worst = n;
        double worst_density = 1.0;
        for (std::size_t l = 0; l < n; ++l) {
            if (dense[l]) {
                result[l] = 1.0;
                continue;
            }
            result[l] =
                scale * double(layers[l].inputs + layers[l].outputs) / double(layers[l].weights());
            if (result[l] > worst_density) {
                worst = l;
                worst_density = result[l];
            }
        }
        if (worst == n) return result;
        dense[worst] = true;  // the layer that overflows most becomes dense; solve again
    }
}

/// The number of live connections of each layer for a global target `density`.
[[nodiscard]] inline std::vector<std::size_t> layer_counts(std::span<const layer_shape> layers,
                                                           double density, distribution d) {
    const std::vector<double> densities = layer_densities(layers, density, d);
    std::vector<std::size_t> counts(layers.size());
    for (std::size_t l = 0; l < layers.size(); ++l) {
        const double w = double(layers[l].weights());
        counts[l] = densities[l] >= 1.0 ? layers[l].weights()
                                        : static_cast<std::size_t>(std::llround(densities[l] * w));
    }
    if (d != distribution::uniform && density < 1.0) {
        std::size_t total = 0, live = 0, largest = layers.size();
        for (std::size_t l = 0; l < layers.size(); ++l) {
            total += layers[l].weights();
            live += counts[l];
            if (counts[l] < layers[l].weights() &&
                (largest == layers.size() || layers[l].weights() > layers[largest].weights())) {
                largest = l;
            }
        }
        const auto want = static_cast<std::size_t>(std::llround(density * double(total)));
        if (largest != layers.size()) {
            const auto adjusted = static_cast<long long>(counts[largest]) +
                                  static_cast<long long>(want) - static_cast<long long>(live);
            counts[largest] = static_cast<std::size_t>(std::clamp<long long>(
                adjusted, 1, static_cast<long long>(layers[largest].weights())));
        }
    }
    return counts;
}

}  // namespace neuroplastic::topology
