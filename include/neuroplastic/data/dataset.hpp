// A data set in memory: samples of `features()` floats each, stored sample after sample, with a
// class label per sample or a row of target values per sample. Training gathers minibatches out
// of it into feature-major batches (core/batch.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "../core/batch.hpp"
#include "../core/error.hpp"

namespace neuroplastic {

/// Samples with class labels (classification) or target values (regression).
class dataset {
public:
    dataset() = default;

    /// An empty data set of samples with `features` values, labelled with classes 0..classes-1,
    /// or, with `classes` 0, carrying `targets` values per sample. `name` appears in messages.
    dataset(std::string name, std::size_t features, std::size_t classes, std::size_t targets = 0)
        : name_(std::move(name)), features_(features), classes_(classes), targets_(targets) {}

    /// Adds a labelled sample.
    void add(std::span<const float> values, std::uint32_t label) {
        check_width(values.size());
        if (classes_ == 0 || label >= classes_) {
            throw data_error(name_ + ": label " + std::to_string(label) + " of sample " +
                             std::to_string(size()) + " is outside the " +
                             std::to_string(classes_) + " classes");
        }
        values_.insert(values_.end(), values.begin(), values.end());
        labels_.push_back(label);
    }

    /// Adds a sample with target values.
    void add(std::span<const float> values, std::span<const float> targets) {
        check_width(values.size());
        if (targets.size() != targets_) {
            throw data_error(name_ + ": expected " + std::to_string(targets_) +
                             " target values for sample " + std::to_string(size()) + ", found " +
                             std::to_string(targets.size()));
        }
        values_.insert(values_.end(), values.begin(), values.end());
        target_values_.insert(target_values_.end(), targets.begin(), targets.end());
    }

    /// Reserves room for `samples` samples.
    void reserve(std::size_t samples) {
        values_.reserve(samples * features_);
        if (targets_ == 0) labels_.reserve(samples); else target_values_.reserve(samples * targets_);
    }

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] std::size_t size() const noexcept {
        return features_ == 0 ? 0 : values_.size() / features_;
    }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    [[nodiscard]] std::size_t features() const noexcept { return features_; }
    /// The number of classes; 0 for a data set with target values.
    [[nodiscard]] std::size_t classes() const noexcept { return classes_; }
    /// Target values per sample; 0 for a labelled data set.
    [[nodiscard]] std::size_t targets() const noexcept { return targets_; }
    [[nodiscard]] bool labelled() const noexcept { return classes_ > 0; }

    [[nodiscard]] std::span<const float> sample(std::size_t i) const noexcept {
        return {values_.data() + i * features_, features_};
    }
    [[nodiscard]] std::uint32_t label(std::size_t i) const noexcept { return labels_[i]; }
    [[nodiscard]] std::span<const float> target(std::size_t i) const noexcept {
        return {target_values_.data() + i * targets_, targets_};
    }
    [[nodiscard]] std::span<const std::uint32_t> labels() const noexcept { return labels_; }

    /// The first `count` samples (or all, if there are fewer), as a new data set.
    [[nodiscard]] dataset head(std::size_t count) const {
        dataset d(name_, features_, classes_, targets_);
        const std::size_t n = std::min(count, size());
        d.values_.assign(values_.begin(), values_.begin() + static_cast<std::ptrdiff_t>(n * features_));
        if (labelled()) {
            d.labels_.assign(labels_.begin(), labels_.begin() + static_cast<std::ptrdiff_t>(n));
        } else {
            d.target_values_.assign(target_values_.begin(),
                                    target_values_.begin() + static_cast<std::ptrdiff_t>(n * targets_));
        }
        return d;
    }

    /// Copies the samples `indices` into the columns of `x` (resized to indices.size() samples).
    template <std::size_t Features>
    void gather(std::span<const std::size_t> indices, batch<Features>& x) const {
        if (Features != features_) {
            throw shape_error(name_ + ": the network reads " + std::to_string(Features) +
                              " features per sample, the data set has " +
                              std::to_string(features_));
        }
        if (x.samples() != indices.size()) x.resize(indices.size());
        // Blocks of samples keep the rows of x that are being written in cache.
        constexpr std::size_t block = 16;
        const std::size_t stride = x.stride();
        float* out = x.data();
        for (std::size_t j0 = 0; j0 < indices.size(); j0 += block) {
            const std::size_t j1 = std::min(indices.size(), j0 + block);
            for (std::size_t f0 = 0; f0 < Features; f0 += 64) {
                const std::size_t f1 = std::min(Features, f0 + 64);
                for (std::size_t j = j0; j < j1; ++j) {
                    const float* in = values_.data() + indices[j] * features_;
                    for (std::size_t f = f0; f < f1; ++f) out[f * stride + j] = in[f];
                }
            }
        }
    }

    /// Copies the labels of the samples `indices` into `out`.
    void gather_labels(std::span<const std::size_t> indices, std::vector<std::uint32_t>& out) const {
        out.resize(indices.size());
        for (std::size_t j = 0; j < indices.size(); ++j) out[j] = labels_[indices[j]];
    }

    /// Copies the target values of the samples `indices` into the columns of `t`.
    template <std::size_t Width>
    void gather_targets(std::span<const std::size_t> indices, batch<Width>& t) const {
        if (Width != targets_) {
            throw shape_error(name_ + ": the loss expects " + std::to_string(Width) +
                              " target values per sample, the data set has " +
                              std::to_string(targets_));
        }
        if (t.samples() != indices.size()) t.resize(indices.size());
        for (std::size_t j = 0; j < indices.size(); ++j) {
            const float* in = target_values_.data() + indices[j] * targets_;
            for (std::size_t f = 0; f < Width; ++f) t(f, j) = in[f];
        }
    }

private:
    void check_width(std::size_t found) const {
        if (found != features_) {
            throw data_error(name_ + ": expected " + std::to_string(features_) +
                             " feature values for sample " + std::to_string(size()) +
                             ", found " + std::to_string(found));
        }
    }

    std::string name_;
    std::size_t features_ = 0;
    std::size_t classes_ = 0;
    std::size_t targets_ = 0;
    std::vector<float> values_;
    std::vector<std::uint32_t> labels_;
    std::vector<float> target_values_;
};

/// A training set and a test set.
struct dataset_split {
    dataset train;
    dataset test;
};

}  // namespace neuroplastic
