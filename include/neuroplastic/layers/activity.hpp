// Which neurons of a layer are in use: a neuron whose output was never positive over a window of
// training steps is dormant (behind a ReLU it is dead: it passes nothing on and learns nothing).
// Layers with weights keep one of these; the topology engine reads and resets it at each update.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../core/batch.hpp"

namespace neuroplastic {

/// Per-neuron flags: was the neuron's output positive for any sample since the last reset?
class neuron_activity {
public:
    explicit neuron_activity(std::size_t neurons = 0) : positive_(neurons, 0) {}

    /// Notes the neurons with a positive output in `y` (its real samples, not the padding).
    void observe(matrix_view<const float> y) noexcept {
        for (std::size_t r = 0; r < y.rows; ++r) {
            if (positive_[r]) continue;
            const float* row = y.row(r);
            positive_[r] = std::any_of(row, row + y.samples, [](float v) { return v > 0.0f; });
        }
        ++observations_;
    }

    /// Neurons whose output was never positive since the last reset (0 before any observation).
    [[nodiscard]] std::size_t dormant() const noexcept {
        if (observations_ == 0) return 0;
        return static_cast<std::size_t>(std::count(positive_.begin(), positive_.end(), 0));
    }

    /// Whether neuron `i` was positive since the last reset.
    [[nodiscard]] bool active(std::size_t i) const noexcept { return positive_[i] != 0; }

    /// Forward passes observed since the last reset.
    [[nodiscard]] std::size_t observations() const noexcept { return observations_; }

    /// Sets the flags and the count of observations, as a checkpoint saved them.
    void restore(std::span<const std::uint8_t> positive, std::size_t observations) {
        positive_.assign(positive.begin(), positive.end());
        observations_ = observations;
    }

    void reset() noexcept {
        std::fill(positive_.begin(), positive_.end(), 0);
        observations_ = 0;
    }

private:
    std::vector<std::uint8_t> positive_;
    std::size_t observations_ = 0;
};

}  // namespace neuroplastic
