// Runs a topology policy on a network: shares the density between its weight layers and draws
// the initial topology, then, after each training step the trainer reports, decides whether the
// topology changes and rewires every sparse layer, and reports what happened.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "../core/aligned_buffer.hpp"
#include "../core/random.hpp"
#include "density.hpp"
#include "policy.hpp"
#include "rewiring.hpp"

namespace neuroplastic::topology {

/// A layer whose connections the engine can rewire (a sparse layer).
template <class L>
concept plastic_layer = requires(L& l, std::span<const std::uint32_t> removed,
                                 std::span<const connection> added, std::span<const float> values) {
    { l.connections() } -> std::convertible_to<const connection_table&>;
    l.rewire(removed, added, values);
    l.dense_gradient();
    l.release_dense_gradient();
    l.initial_stddev();
};

/// A layer with weights and neurons to watch (dense and sparse layers).
template <class L>
concept weight_layer = requires(L& l) {
    l.activity();
    l.weights();
    L::input_size;
    L::output_size;
};

/// What one weight layer looked like at a report.
struct layer_statistics {
    std::size_t layer = 0;  ///< position in the network, counted from 0 after input<N>
    std::size_t inputs = 0;
    std::size_t outputs = 0;
    bool sparse = false;
    std::size_t live = 0;  ///< live connections
    double density = 1.0;
    std::size_t pruned = 0;
    std::size_t grown = 0;
    /// Neurons whose output was never positive since the previous report (behind a ReLU: dead).
    std::size_t dormant = 0;
    double mean_abs_weight = 0.0;
};

/// A report after a topology update, or at the end of an epoch.
struct report {
    enum class kind { update, epoch };
    kind event = kind::update;
    std::size_t step = 0;   ///< optimiser steps done
    std::size_t epoch = 0;  ///< 1-based
    double drop_fraction = 0.0;
    std::vector<layer_statistics> layers;

    [[nodiscard]] std::size_t pruned() const noexcept {
        std::size_t n = 0;
        for (const auto& l : layers) n += l.pruned;
        return n;
    }
    [[nodiscard]] std::size_t grown() const noexcept {
        std::size_t n = 0;
        for (const auto& l : layers) n += l.grown;
        return n;
    }
};

/// Applies a `policy` to a `Network`.
template <class Network>
class controller {
public:
    /// Shares the policy's density between the network's weight layers (dense layers stay dense)
    /// and gives every sparse layer a random topology of its share, with new weights.
    controller(Network& net, const policy& p) : net_(&net), policy_(p), generator_(p.seed) {
        std::vector<layer_shape> shapes;
        visit([&](std::size_t, auto& l) {
            using L = std::remove_cvref_t<decltype(l)>;
            shapes.push_back({L::output_size, L::input_size, plastic_layer<L>});
        });
        const auto counts = layer_counts(shapes, policy_.density, policy_.layer_density);
        std::size_t w = 0;
        visit([&](std::size_t position, auto& l) {
            using L = std::remove_cvref_t<decltype(l)>;
            if constexpr (plastic_layer<L>) {
                rng layer_rng = generator_.fork(position);
                l.connect_random(counts[w], layer_rng);
            }
            ++w;
        });
        momenta_.resize(shapes.size());
    }

    [[nodiscard]] const policy& settings() const noexcept { return policy_; }

    /// The generator of random growth, and the momenta gathered within a window (empty outside
    /// one): the controller's state, which checkpoints save and restore.
    [[nodiscard]] const rng& generator() const noexcept { return generator_; }
    [[nodiscard]] const std::vector<aligned_buffer<float>>& momenta() const noexcept {
        return momenta_;
    }
    void restore(rng generator, std::vector<aligned_buffer<float>> momenta) noexcept {
        generator_ = generator;
        momenta_ = std::move(momenta);
    }

    /// Whether the backward pass of step `step` (counted from 1) must form dense gradients.
    [[nodiscard]] bool wants_dense_gradients(std::size_t step, std::size_t total_steps,
                                             std::size_t steps_per_epoch) const noexcept {
        if (!policy_.rewires || policy_.grow == grow_rule::random) return false;
        if (policy_.grow == grow_rule::gradient) {
            return policy_.updates_after(step, total_steps, steps_per_epoch);
        }
        // Momentum: the window of steps up to the next update.
        const std::size_t interval = policy_.interval(steps_per_epoch);
        const std::size_t next = (step + interval - 1) / interval * interval;
        return policy_.updates_after(next, total_steps, steps_per_epoch) &&
               next - step < policy_.momentum_window;
    }

    /// Called after step `step` (counted from 1): rewires if the policy says so, and returns a
    /// report of the update.
    std::optional<report> after_step(std::size_t step, std::size_t total_steps,
                                     std::size_t steps_per_epoch, std::size_t epoch) {
        if (policy_.grow == grow_rule::momentum &&
            wants_dense_gradients(step, total_steps, steps_per_epoch)) {
            gather_momentum();
        }
        if (!policy_.updates_after(step, total_steps, steps_per_epoch)) return std::nullopt;
        report r;
        r.event = report::kind::update;
        r.step = step;
        r.epoch = epoch;
        r.drop_fraction = policy_.drop_fraction_at(step, total_steps);
        std::size_t w = 0;
        visit([&](std::size_t position, auto& l) {
            using L = std::remove_cvref_t<decltype(l)>;
            std::size_t pruned = 0, grown = 0;
            if constexpr (plastic_layer<L>) {
                std::tie(pruned, grown) = update(position, w, l, r.drop_fraction);
            }
            layer_statistics s = statistics(position, l);
            s.pruned = pruned;
            s.grown = grown;
            r.layers.push_back(s);
            ++w;
        });
        return r;
    }

    /// A report of the state at the end of an epoch (nothing pruned or grown).
    report epoch_end(std::size_t step, std::size_t epoch) {
        report r;
        r.event = report::kind::epoch;
        r.step = step;
        r.epoch = epoch;
        visit([&](std::size_t position, auto& l) { r.layers.push_back(statistics(position, l)); });
        return r;
    }

    /// Live connections of all weight layers (dense layers count whole).
    [[nodiscard]] std::size_t live_connections() const {
        std::size_t n = 0;
        visit([&](std::size_t, auto& l) {
            using L = std::remove_cvref_t<decltype(l)>;
            if constexpr (plastic_layer<L>) {
                n += l.connections().live();
            } else {
                n += L::input_size * L::output_size;
            }
        });
        return n;
    }

private:
    // Calls f(position, layer) for every weight layer of the network.
    template <class F>
    void visit(F&& f) const {
        std::size_t position = 0;
        net_->for_each_layer([&](auto& l) {
            if constexpr (weight_layer<std::remove_cvref_t<decltype(l)>>) f(position, l);
            ++position;
        });
    }

    // The layer's statistics; its neuron activity starts a new window.
    template <class L>
    static layer_statistics statistics(std::size_t position, L& l) {
        layer_statistics s;
        s.layer = position;
        s.inputs = L::input_size;
        s.outputs = L::output_size;
        s.dormant = l.activity().dormant();
        l.activity().reset();
        double sum = 0.0;
        if constexpr (plastic_layer<L>) {
            s.sparse = true;
            s.live = l.connections().live();
            s.density = l.connections().density();
            l.connections().for_each([&](std::size_t, std::size_t, std::size_t slot) {
                sum += std::abs(double(l.weights().value()[slot]));
            });
        } else {
            s.live = L::input_size * L::output_size;
            for (float v : l.weights().value()) sum += std::abs(double(v));
        }
        s.mean_abs_weight = s.live == 0 ? 0.0 : sum / double(s.live);
        return s;
    }

    void gather_momentum() {
        std::size_t w = 0;
        visit([&](std::size_t, auto& l) {
            using L = std::remove_cvref_t<decltype(l)>;
            if constexpr (plastic_layer<L>) {
                const auto g = l.dense_gradient();
                auto& m = momenta_[w];
                if (!g.empty()) {
                    if (m.size() != g.size()) m.assign_zeros(g.size());
                    for (std::size_t i = 0; i < g.size(); ++i)
                        m[i] = policy_.momentum * m[i] + g[i];
                }
                l.release_dense_gradient();
            }
            ++w;
        });
    }

    template <class L>
    std::pair<std::size_t, std::size_t> update(std::size_t position, std::size_t w, L& l,
                                               double fraction) {
        const connection_table& t = l.connections();
        const std::size_t live = t.live();
        std::vector<std::uint32_t> removed;
        std::vector<connection> added;
        if (live > 0 && live < t.rows() * t.cols()) {
            const auto values = l.weights().value();
            if (policy_.prune == prune_rule::signed_magnitude) {
                removed = prune_signed(t, values, fraction);
            } else {
                removed =
                    prune_smallest(t, values, static_cast<std::size_t>(fraction * double(live)));
            }
            if (!removed.empty()) {
                if (policy_.grow == grow_rule::random) {
                    rng layer_rng = generator_.fork(position);
                    generator_.next();  // a new stream for every update
                    added = grow_random(t, removed, removed.size(), layer_rng);
                } else {
                    const std::span<const float> scores = policy_.grow == grow_rule::gradient
                                                              ? l.dense_gradient()
                                                              : std::span<const float>(momenta_[w]);
                    if (scores.size() == t.rows() * t.cols()) {
                        added = grow_largest(t, removed, scores, removed.size());
                    } else {
                        removed.clear();  // no scores were formed: leave the layer as it is
                    }
                }
            }
        }
        std::vector<float> initial(added.size(), 0.0f);
        if (policy_.init == growth_init::random) {
            rng init_rng = generator_.fork(1000 + position);
            generator_.next();
            const auto stddev = static_cast<float>(l.initial_stddev() * policy_.growth_scale);
            for (float& v : initial) v = init_rng.normal(0.0f, stddev);
        }
        l.rewire(removed, added, initial);
        l.release_dense_gradient();
        if (w < momenta_.size()) momenta_[w] = aligned_buffer<float>();
        return {removed.size(), added.size()};
    }

    Network* net_;
    policy policy_;
    rng generator_;
    std::vector<aligned_buffer<float>> momenta_;  // per weight layer, only within a window
};

}  // namespace neuroplastic::topology
