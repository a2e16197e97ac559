// A trainable tensor: its values, the loss gradient with respect to them, and the optimiser's
// per-value state, kept side by side so that a layer which rewires itself can move a value and
// its state together.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "aligned_buffer.hpp"

namespace neuroplastic {

/// One trainable tensor of a layer, flattened.
class parameter {
public:
    /// How many per-value state buffers an optimiser may keep (Adam keeps two moments).
    static constexpr std::size_t max_state = 2;

    parameter() = default;

    /// `decays` says whether weight decay applies (weights yes, biases no, as is usual).
    parameter(std::string_view name, std::size_t size, bool decays)
        : name_(name), value_(size), gradient_(size), decays_(decays) {}

    [[nodiscard]] std::string_view name() const noexcept { return name_; }
    [[nodiscard]] std::size_t size() const noexcept { return value_.size(); }
    [[nodiscard]] bool decays() const noexcept { return decays_; }

    [[nodiscard]] std::span<float> value() noexcept { return value_; }
    [[nodiscard]] std::span<const float> value() const noexcept { return value_; }
    [[nodiscard]] std::span<float> gradient() noexcept { return gradient_; }
    [[nodiscard]] std::span<const float> gradient() const noexcept { return gradient_; }

    /// State buffer `slot` (zero-filled and sized like the values on first use).
    [[nodiscard]] std::span<float> state(std::size_t slot) {
        if (state_[slot].size() != value_.size()) state_[slot].assign_zeros(value_.size());
        return state_[slot];
    }

    /// Whether state buffer `slot` exists (an optimiser has used it).
    [[nodiscard]] bool has_state(std::size_t slot) const noexcept {
        return state_[slot].size() == value_.size() && !value_.empty();
    }

    [[nodiscard]] std::span<const float> state(std::size_t slot) const noexcept {
        return state_[slot];
    }

    /// Drops the optimiser's state (a fresh optimiser starts from zeros).
    void clear_state() noexcept {
        for (auto& s : state_) s = aligned_buffer<float>();
    }

    void zero_gradient() noexcept { gradient_.fill(0.0f); }

    /// Calls `f(aligned_buffer<float>&)` for every buffer with one value per entry: the values,
    /// the gradient, and each state buffer in use. A layer that moves entries (a sparse layer
    /// rewiring its connections) moves them in all of these together.
    template <class F>
    void for_each_buffer(F&& f) {
        f(value_);
        f(gradient_);
        for (auto& s : state_) {
            if (!s.empty() && s.size() == value_.size()) f(s);
        }
    }

    /// Resizes to `size` zero entries, dropping the optimiser's state.
    void reset(std::size_t size) {
        value_.assign_zeros(size);
        gradient_.assign_zeros(size);
        clear_state();
    }

private:
    std::string_view name_;
    aligned_buffer<float> value_;
    aligned_buffer<float> gradient_;
    std::array<aligned_buffer<float>, max_state> state_;
    bool decays_ = true;
};

}  // namespace neuroplastic
