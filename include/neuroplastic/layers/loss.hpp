// Losses: softmax with cross-entropy (fused, for classification) and mean squared error. A loss
// reads the network's output batch, returns the mean loss over the samples, and writes the
// gradient of that mean with respect to the output, with the padding of every row zero.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>

#include "../core/aligned_buffer.hpp"
#include "../core/batch.hpp"
#include "../core/diagnostics.hpp"
#include "../core/error.hpp"
#include "../kernels/simd.hpp"

namespace neuroplastic {

/// A loss's width when it takes the width of the network's output.
inline constexpr std::size_t output_width = std::numeric_limits<std::size_t>::max();

/// Softmax over the `Classes` outputs followed by the cross-entropy with integer class labels,
/// computed together: the gradient is softmax(z) - onehot(label), and log-sum-exp is taken after
/// subtracting the largest logit, so no exponential overflows. `Classes` defaults to the width of
/// the network's output; naming it makes the network check it.
template <std::size_t Classes = output_width>
class softmax_cross_entropy {
public:
    static constexpr std::size_t classes = Classes;
    /// The targets are class labels, one per sample.
    static constexpr bool uses_labels = true;

    /// Whether the loss can follow a network with `Outputs` outputs.
    template <std::size_t Outputs>
    static constexpr bool fits = Classes == output_width || Classes == Outputs;

    /// The mean loss over the batch; writes d(mean loss)/d(logits) into `gradient` (same shape).
    float forward_backward(matrix_view<const float> logits, std::span<const std::uint32_t> labels,
                           matrix_view<float> gradient) {
        check(logits, labels);
        const std::size_t n = logits.samples;
        const float scale = 1.0f / static_cast<float>(n);
        softmax(logits, gradient, scale);

        double total = 0.0;
        for (std::size_t s = 0; s < n; ++s) {
            const std::uint32_t label = labels[s];
            total += static_cast<double>(log_sum_[s]) + max_[s] - logits(label, s);
            gradient(label, s) -= scale;
        }
        for (std::size_t c = 0; c < logits.rows; ++c) {
            float* row = gradient.row(c);
            for (std::size_t s = n; s < gradient.stride; ++s) row[s] = 0.0f;
        }
        return static_cast<float>(total / static_cast<double>(n));
    }

    /// The mean loss over the batch, without a gradient.
    float forward(matrix_view<const float> logits, std::span<const std::uint32_t> labels) {
        check(logits, labels);
        double total = 0.0;
        for (std::size_t s = 0; s < logits.samples; ++s) {
            float largest = logits(0, s);
            for (std::size_t c = 1; c < logits.rows; ++c) largest = std::max(largest, logits(c, s));
            double sum = 0.0;
            for (std::size_t c = 0; c < logits.rows; ++c)
                sum += std::exp(double(logits(c, s) - largest));
            total += std::log(sum) + largest - logits(labels[s], s);
        }
        return static_cast<float>(total / static_cast<double>(logits.samples));
    }

    /// How many samples have their label as the largest logit (the first on ties).
    static std::size_t correct(matrix_view<const float> logits,
                               std::span<const std::uint32_t> labels) noexcept {
        std::size_t hits = 0;
        for (std::size_t s = 0; s < logits.samples; ++s) {
            std::size_t best = 0;
            for (std::size_t c = 1; c < logits.rows; ++c) {
                if (logits(c, s) > logits(best, s)) best = c;
            }
            hits += best == labels[s];
        }
        return hits;
    }

private:
    static void check(matrix_view<const float> logits, std::span<const std::uint32_t> labels) {
        if (labels.size() != logits.samples) {
            throw shape_error("softmax_cross_entropy: expected " + std::to_string(logits.samples) +
                              " labels, one per sample, found " + std::to_string(labels.size()));
        }
        for (std::size_t s = 0; s < labels.size(); ++s) {
            if (labels[s] >= logits.rows) {
                throw shape_error("softmax_cross_entropy: the label of sample " +
                                  std::to_string(s) + " is " + std::to_string(labels[s]) +
                                  ", expected a class below " + std::to_string(logits.rows));
            }
        }
    }

    // gradient = scale * softmax(logits) per sample (column), vectorised over the samples; keeps
    // each sample's largest logit and the logarithm of its sum of exponentials for the loss.
    void softmax(matrix_view<const float> z, matrix_view<float> p, float scale) {
        if (max_.size() < z.stride) {
            max_.assign_zeros(z.stride);
            log_sum_.assign_zeros(z.stride);
        }
        for (std::size_t s = 0; s < z.stride; s += simd::width) {
            simd::vec largest = simd::load(z.row(0) + s);
            for (std::size_t c = 1; c < z.rows; ++c)
                largest = simd::max(largest, simd::load(z.row(c) + s));
            simd::vec sum = simd::broadcast(0.0f);
            for (std::size_t c = 0; c < z.rows; ++c) {
                const simd::vec e = simd::exp(simd::load(z.row(c) + s) - largest);
                simd::store(p.row(c) + s, e);
                sum = sum + e;
            }
            const simd::vec factor = simd::broadcast(scale) / sum;
            for (std::size_t c = 0; c < z.rows; ++c) {
                simd::store(p.row(c) + s, simd::load(p.row(c) + s) * factor);
            }
            simd::store(max_.data() + s, largest);
            simd::store(log_sum_.data() + s, sum);
        }
        for (std::size_t s = 0; s < z.samples; ++s) log_sum_[s] = std::log(log_sum_[s]);
    }

    aligned_buffer<float> max_;
    aligned_buffer<float> log_sum_;
};

/// The mean over samples and outputs of (y - t)^2, as PyTorch's MSELoss with reduction "mean".
template <std::size_t Width = output_width>
class mean_squared_error {
public:
    static constexpr std::size_t width = Width;
    /// The targets are a batch of values as wide as the output.
    static constexpr bool uses_labels = false;

    template <std::size_t Outputs>
    static constexpr bool fits = Width == output_width || Width == Outputs;

    float forward_backward(matrix_view<const float> y, matrix_view<const float> t,
                           matrix_view<float> gradient) const {
        check(y, t);
        const double count = static_cast<double>(y.rows) * static_cast<double>(y.samples);
        const float scale = static_cast<float>(2.0 / count);
        double total = 0.0;
        for (std::size_t r = 0; r < y.rows; ++r) {
            for (std::size_t s = 0; s < y.samples; ++s) {
                const float d = y(r, s) - t(r, s);
                total += static_cast<double>(d) * d;
                gradient(r, s) = scale * d;
            }
            for (std::size_t s = y.samples; s < gradient.stride; ++s) gradient(r, s) = 0.0f;
        }
        return static_cast<float>(total / count);
    }

    float forward(matrix_view<const float> y, matrix_view<const float> t) const {
        check(y, t);
        double total = 0.0;
        for (std::size_t r = 0; r < y.rows; ++r) {
            for (std::size_t s = 0; s < y.samples; ++s) {
                const double d = double(y(r, s)) - t(r, s);
                total += d * d;
            }
        }
        return static_cast<float>(total / (double(y.rows) * double(y.samples)));
    }

    /// The typed form: a target batch of the wrong width does not compile.
    template <std::size_t Outputs, std::size_t Targets>
    float forward(const batch<Outputs>& y, const batch<Targets>& t) const {
        static_assert(diagnostic::check_targets<diagnostic::output_width<Outputs>,
                                                diagnostic::target_width<Targets>>());
        return forward(y.view(), t.view());
    }

private:
    static void check(matrix_view<const float> y, matrix_view<const float> t) {
        if (y.rows != t.rows || y.samples != t.samples) {
            throw shape_error("mean_squared_error: expected targets of " + std::to_string(y.rows) +
                              " values for " + std::to_string(y.samples) + " samples, found " +
                              std::to_string(t.rows) + " values for " + std::to_string(t.samples));
        }
    }
};

}  // namespace neuroplastic
