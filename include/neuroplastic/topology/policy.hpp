// Topology policies: the initial sparsity of a network and how its connections change during
// training. `policy` holds every knob; `static_mask`, `set`, `rigl` and `sparse_momentum` are the
// published methods with their published defaults, each convertible to a `policy`:
//
//   trainer.use_topology(npl::topology::rigl{.density = 0.1, .update_interval = 100});
//
// Schedule (RigL): an update after every `update_interval` steps while the step is below
// end * (total steps), replacing drop_fraction_t of each sparse layer's live connections, with
// drop_fraction_t = drop_fraction / 2 * (1 + cos(pi * t / T_end)) for cosine decay.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <string>
#include <string_view>

#include "density.hpp"

namespace neuroplastic::topology {

enum class prune_rule {
    smallest,          ///< the smallest |w| (RigL, Sparse Momentum)
    signed_magnitude,  ///< SET: a fraction of the positive and of the negative weights closest to
                       ///< zero
};
enum class grow_rule {
    random,    ///< uniformly among absent connections (SET)
    gradient,  ///< the largest |dense gradient| of the update step's minibatch (RigL)
    momentum,  ///< the largest |momentum of the dense gradient| (Sparse Momentum)
};
enum class growth_init {
    zero,    ///< new connections start at 0 and leave the output unchanged (RigL)
    random,  ///< from the layer's initial distribution, N(0, 2 / live fan-in) (SET)
};
enum class decay { constant, cosine };

[[nodiscard]] inline const char* name(prune_rule r) noexcept {
    return r == prune_rule::smallest ? "smallest" : "signed_magnitude";
}
[[nodiscard]] inline const char* name(grow_rule r) noexcept {
    return r == grow_rule::random ? "random" : r == grow_rule::gradient ? "gradient" : "momentum";
}

/// Every setting of structural plasticity.
struct policy {
    /// A name for logs: "static", "set", "rigl", "sparse_momentum" or your own.
    std::string_view method = "static";
    /// The global density of the weight layers, and how it is shared between them.
    double density = 0.1;
    distribution layer_density = distribution::erdos_renyi_kernel;
    /// Whether connections change at all.
    bool rewires = false;
    /// Steps between updates; 0 means one epoch.
    std::size_t update_interval = 100;
    /// No update at or after this fraction of all training steps.
    double end = 0.75;
    /// The fraction of each layer's live connections replaced at an update, before decay.
    double drop_fraction = 0.3;
    decay drop_decay = decay::cosine;
    prune_rule prune = prune_rule::smallest;
    grow_rule grow = grow_rule::gradient;
    growth_init init = growth_init::zero;
    /// For growth_init::random: the spread of new weights, as a fraction of the layer's initial
    /// standard deviation.
    double growth_scale = 1.0;
    /// For grow_rule::momentum: the steps before an update over which the momentum of the dense
    /// gradient is gathered, and its coefficient. Those steps form the dense gradient.
    std::size_t momentum_window = 20;
    float momentum = 0.9f;
    /// Seeds the initial topology and random growth.
    std::uint64_t seed = 0;

    /// The steps between updates, for `steps_per_epoch` steps an epoch.
    [[nodiscard]] std::size_t interval(std::size_t steps_per_epoch) const noexcept {
        const std::size_t i = update_interval == 0 ? steps_per_epoch : update_interval;
        return i == 0 ? 1 : i;
    }

    /// The first step at which no more updates happen.
    [[nodiscard]] std::size_t end_step(std::size_t total_steps) const noexcept {
        return static_cast<std::size_t>(end * double(total_steps));
    }

    /// Whether the topology changes after step `step` (counted from 1).
    [[nodiscard]] bool updates_after(std::size_t step, std::size_t total_steps,
                                     std::size_t steps_per_epoch) const noexcept {
        return rewires && step > 0 && step % interval(steps_per_epoch) == 0 &&
               step < end_step(total_steps);
    }

    /// The fraction replaced at an update after step `step`.
    [[nodiscard]] double drop_fraction_at(std::size_t step,
                                          std::size_t total_steps) const noexcept {
        if (drop_decay == decay::constant) return drop_fraction;
        const double t_end = double(end_step(total_steps));
        return t_end <= 0.0 ? drop_fraction
                            : drop_fraction / 2.0 *
                                  (1.0 + std::cos(std::numbers::pi * double(step) / t_end));
    }
};

/// Every setting of `p` as text, for logs and for checkpoints, which refuse to continue training
/// under another policy than the one they were saved with.
[[nodiscard]] inline std::string describe(const policy& p) {
    const auto number = [](double v) {
        char text[32];
        std::snprintf(text, sizeof text, "%.17g", v);
        return std::string(text);
    };
    return std::string(p.method) + " density=" + number(p.density) +
           " layer_density=" + name(p.layer_density) + " rewires=" + (p.rewires ? "1" : "0") +
           " update_interval=" + std::to_string(p.update_interval) + " end=" + number(p.end) +
           " drop_fraction=" + number(p.drop_fraction) +
           " decay=" + (p.drop_decay == decay::cosine ? "cosine" : "constant") +
           " prune=" + name(p.prune) + " grow=" + name(p.grow) +
           " init=" + (p.init == growth_init::zero ? "zero" : "random") +
           " growth_scale=" + number(p.growth_scale) +
           " momentum_window=" + std::to_string(p.momentum_window) +
           " momentum=" + number(p.momentum) + " seed=" + std::to_string(p.seed);
}

/// A fixed random sparse topology.
struct static_mask {
    double density = 0.1;
    distribution layer_density = distribution::erdos_renyi_kernel;
    std::uint64_t seed = 0;

    operator policy() const noexcept {  // NOLINT: a method is a policy
        policy p;
        p.method = "static";
        p.density = density;
        p.layer_density = layer_density;
        p.seed = seed;
        return p;
    }
};

/// Sparse Evolutionary Training (Mocanu et al., 2018): after every epoch but the last, prune the
/// fraction zeta of the positive and of the negative weights closest to zero and grow as many
/// connections at random, with small random initial weights: a tenth of the initial spread by
/// default. (At the full initial spread, weights grown late in a cosine-decayed schedule never
/// recover: 0.834 test accuracy against 0.880 on Fashion-MNIST at density 0.1, seed 1; grown at
/// zero, as the PyTorch reference implementation grows them, 0.879.)
struct set {
    double density = 0.1;
    distribution layer_density = distribution::erdos_renyi_kernel;
    std::size_t update_interval = 0;  ///< one epoch
    double end = 1.0;
    double zeta = 0.3;
    growth_init init = growth_init::random;
    double growth_scale = 0.1;
    std::uint64_t seed = 0;

    operator policy() const noexcept {  // NOLINT: a method is a policy
        policy p;
        p.method = "set";
        p.density = density;
        p.layer_density = layer_density;
        p.rewires = true;
        p.update_interval = update_interval;
        p.end = end;
        p.drop_fraction = zeta;
        p.drop_decay = decay::constant;
        p.prune = prune_rule::signed_magnitude;
        p.grow = grow_rule::random;
        p.init = init;
        p.growth_scale = growth_scale;
        p.seed = seed;
        return p;
    }
};

/// Rigged Lottery (Evci et al., 2020): every 100 steps until 75 % of training, replace a cosine-
/// decaying fraction (0.3 at first) of each layer's connections, pruning the smallest weights and
/// growing where the dense gradient of the minibatch is largest, from zero.
struct rigl {
    double density = 0.1;
    distribution layer_density = distribution::erdos_renyi_kernel;
    std::size_t update_interval = 100;
    double end = 0.75;
    double drop_fraction = 0.3;
    growth_init init = growth_init::zero;
    std::uint64_t seed = 0;

    operator policy() const noexcept {  // NOLINT: a method is a policy
        policy p;
        p.method = "rigl";
        p.density = density;
        p.layer_density = layer_density;
        p.rewires = true;
        p.update_interval = update_interval;
        p.end = end;
        p.drop_fraction = drop_fraction;
        p.drop_decay = decay::cosine;
        p.prune = prune_rule::smallest;
        p.grow = grow_rule::gradient;
        p.init = init;
        p.seed = seed;
        return p;
    }
};

/// Growth by momentum (after Dettmers and Zettlemoyer, 2019): as RigL, but grow where the
/// momentum of the dense gradient, gathered over the `window` steps before each update, is
/// largest. The original keeps a dense momentum on every step; here only the window's steps form
/// the dense gradient, so ordinary steps stay in proportion to the live connections. Nor does it
/// redistribute connections between layers by their mean momentum, as the original does: each
/// layer keeps its density (docs/limits.md).
struct sparse_momentum {
    double density = 0.1;
    distribution layer_density = distribution::erdos_renyi_kernel;
    std::size_t update_interval = 100;
    double end = 0.75;
    double drop_fraction = 0.3;
    std::size_t window = 20;
    float momentum = 0.9f;
    std::uint64_t seed = 0;

    operator policy() const noexcept {  // NOLINT: a method is a policy
        policy p = rigl{density,           layer_density, update_interval, end, drop_fraction,
                        growth_init::zero, seed};
        p.method = "sparse_momentum";
        p.grow = grow_rule::momentum;
        p.momentum_window = window;
        p.momentum = momentum;
        return p;
    }
};

}  // namespace neuroplastic::topology
