// Feature-major activations. A batch stores, for each feature (each neuron of a layer), that
// feature's values for every sample of the minibatch contiguously: row f holds x[f][0..samples).
// A dense layer is then one matrix product with the batch as its wide operand, and a sparse layer
// adds whole rows, so every connection is vectorised over the samples. docs/design.md says more.
#pragma once

#include <cassert>
#include <cstddef>
#include <span>
#include <string>

#include "aligned_buffer.hpp"
#include "config.hpp"
#include "error.hpp"

namespace neuroplastic {

/// The row stride, in floats, of a batch of `samples` samples: rounded up to `sample_padding`.
[[nodiscard]] constexpr std::size_t padded_samples(std::size_t samples) noexcept {
    return (samples + sample_padding - 1) / sample_padding * sample_padding;
}

/// A non-owning view of feature-major activations: `rows` features, `samples` samples each, the
/// rows `stride` floats apart. `T` is `float` or `const float`.
template <class T>
struct matrix_view {
    T* data = nullptr;
    std::size_t rows = 0;
    std::size_t samples = 0;
    std::size_t stride = 0;

    [[nodiscard]] T* row(std::size_t r) const noexcept { return data + r * stride; }
    [[nodiscard]] T& operator()(std::size_t r, std::size_t s) const noexcept {
        return data[r * stride + s];
    }

    operator matrix_view<const T>() const noexcept { return {data, rows, samples, stride}; }

    [[nodiscard]] bool empty() const noexcept { return data == nullptr; }
};

/// An owning, feature-major block of `Features` features for a run-time number of samples.
/// The padding after each row's samples is kept zero by every operation of the library, so
/// products that run over whole padded rows add nothing for the padding.
template <std::size_t Features>
class batch {
    static_assert(Features > 0, "neuroplastic: a batch needs at least one feature");

public:
    static constexpr std::size_t features = Features;

    batch() = default;
    explicit batch(std::size_t samples) { resize(samples); }

    /// Holds `samples` samples afterwards, all zero. Storage is reused when it is large enough.
    void resize(std::size_t samples) {
        samples_ = samples;
        stride_ = padded_samples(samples);
        if (values_.size() < Features * stride_) {
            values_.assign_zeros(Features * stride_);
        } else {
            values_.fill(0.0f);
        }
    }

    [[nodiscard]] std::size_t samples() const noexcept { return samples_; }
    [[nodiscard]] std::size_t stride() const noexcept { return stride_; }

    [[nodiscard]] float& operator()(std::size_t feature, std::size_t sample) noexcept {
        assert(feature < Features && sample < samples_);
        return values_[feature * stride_ + sample];
    }
    [[nodiscard]] float operator()(std::size_t feature, std::size_t sample) const noexcept {
        assert(feature < Features && sample < samples_);
        return values_[feature * stride_ + sample];
    }

    /// The values of one feature over all samples.
    [[nodiscard]] std::span<float> row(std::size_t feature) noexcept {
        return {values_.data() + feature * stride_, samples_};
    }
    [[nodiscard]] std::span<const float> row(std::size_t feature) const noexcept {
        return {values_.data() + feature * stride_, samples_};
    }

    /// Writes one sample's `Features` values (a column of the batch).
    void set_sample(std::size_t sample, std::span<const float> values) {
        if (sample >= samples_) {
            throw shape_error("batch::set_sample: sample " + std::to_string(sample) +
                              " is outside a batch of " + std::to_string(samples_) + " samples");
        }
        if (values.size() != Features) {
            throw shape_error("batch::set_sample: expected " + std::to_string(Features) +
                              " values, found " + std::to_string(values.size()));
        }
        for (std::size_t f = 0; f < Features; ++f) values_[f * stride_ + sample] = values[f];
    }

    [[nodiscard]] matrix_view<float> view() noexcept {
        return {values_.data(), Features, samples_, stride_};
    }
    [[nodiscard]] matrix_view<const float> view() const noexcept {
        return {values_.data(), Features, samples_, stride_};
    }

    [[nodiscard]] float* data() noexcept { return values_.data(); }
    [[nodiscard]] const float* data() const noexcept { return values_.data(); }

private:
    aligned_buffer<float> values_;
    std::size_t samples_ = 0;
    std::size_t stride_ = 0;
};

}  // namespace neuroplastic
