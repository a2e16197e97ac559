// Learning-rate schedules: constant, step decay and cosine annealing (Loshchilov and Hutter,
// "SGDR: stochastic gradient descent with warm restarts", ICLR 2017, without restarts), each with
// an optional linear warm-up. A schedule maps the position in training to a learning rate.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <numbers>

namespace neuroplastic {

/// Where training is: `step` optimiser steps done out of `total_steps`, with `steps_per_epoch`
/// steps to an epoch.
struct schedule_position {
    std::size_t step = 0;
    std::size_t total_steps = 1;
    std::size_t steps_per_epoch = 1;
};

/// What the trainer needs of a schedule.
template <class S>
concept schedule = requires(const S& s, schedule_position p) {
    { s.rate(p) } -> std::convertible_to<float>;
};

namespace detail {
inline float warmed_up(float rate, std::size_t warmup_steps, std::size_t step) noexcept {
    if (step >= warmup_steps) return rate;
    return rate * static_cast<float>(step + 1) / static_cast<float>(warmup_steps);
}
}  // namespace detail

/// The same rate throughout.
struct constant_schedule {
    float base_rate = 0.01f;
    std::size_t warmup_steps = 0;

    [[nodiscard]] float rate(schedule_position p) const noexcept {
        return detail::warmed_up(base_rate, warmup_steps, p.step);
    }
};

/// The rate times `gamma` after every `every_epochs` epochs.
struct step_schedule {
    float base_rate = 0.01f;
    float gamma = 0.1f;
    std::size_t every_epochs = 10;
    std::size_t warmup_steps = 0;

    [[nodiscard]] float rate(schedule_position p) const noexcept {
        const std::size_t epoch = p.step / (p.steps_per_epoch == 0 ? 1 : p.steps_per_epoch);
        const auto drops = static_cast<double>(epoch / (every_epochs == 0 ? 1 : every_epochs));
        const auto r = static_cast<float>(double(base_rate) * std::pow(double(gamma), drops));
        return detail::warmed_up(r, warmup_steps, p.step);
    }
};

/// From `base_rate` down to `final_rate` along half a cosine over the whole of training.
struct cosine_schedule {
    float base_rate = 0.05f;
    float final_rate = 0.0f;
    std::size_t warmup_steps = 0;

    [[nodiscard]] float rate(schedule_position p) const noexcept {
        const double progress =
            p.total_steps == 0 ? 1.0
                               : static_cast<double>(p.step) / static_cast<double>(p.total_steps);
        const double c = 0.5 * (1.0 + std::cos(std::numbers::pi * std::min(progress, 1.0)));
        const auto r = static_cast<float>(final_rate + (double(base_rate) - final_rate) * c);
        return detail::warmed_up(r, warmup_steps, p.step);
    }
};

}  // namespace neuroplastic
