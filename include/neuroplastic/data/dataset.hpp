// A data set in memory: samples of `features()` values each, stored sample after sample, with a
// class label per sample or a row of target values per sample. Training gathers minibatches out
// of it into feature-major batches (core/batch.hpp). Values are floats, or, for sources of 8-bit
// values such as images, bytes that map to floats through a table: a quarter of the memory, and
// a quarter of the traffic when minibatches are gathered.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/batch.hpp"
#include "../core/config.hpp"
#include "../core/error.hpp"
#include "detail/byte_transpose.hpp"

namespace neuroplastic {

/// One sample's feature values, whichever way the data set stores them.
class sample_view {
public:
    sample_view(const float* values, std::size_t size) noexcept : floats_(values), size_(size) {}
    sample_view(const std::uint8_t* bytes, const float* table, std::size_t size) noexcept
        : bytes_(bytes), table_(table), size_(size) {}

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    [[nodiscard]] float operator[](std::size_t f) const noexcept {
        return floats_ != nullptr ? floats_[f] : table_[bytes_[f]];
    }

    /// The values as floats.
    [[nodiscard]] std::vector<float> to_vector() const {
        std::vector<float> v(size_);
        for (std::size_t f = 0; f < size_; ++f) v[f] = (*this)[f];
        return v;
    }

    class iterator {
    public:
        using value_type = float;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        iterator(const sample_view* view, std::size_t at) noexcept : view_(view), at_(at) {}
        float operator*() const noexcept { return (*view_)[at_]; }
        iterator& operator++() noexcept {
            ++at_;
            return *this;
        }
        iterator operator++(int) noexcept {
            iterator old = *this;
            ++at_;
            return old;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.at_ == b.at_;
        }

    private:
        const sample_view* view_ = nullptr;
        std::size_t at_ = 0;
    };
    [[nodiscard]] iterator begin() const noexcept { return {this, 0}; }
    [[nodiscard]] iterator end() const noexcept { return {this, size_}; }

private:
    const float* floats_ = nullptr;
    const std::uint8_t* bytes_ = nullptr;
    const float* table_ = nullptr;
    std::size_t size_ = 0;
};

/// Samples with class labels (classification) or target values (regression).
class dataset {
public:
    dataset() = default;

    /// An empty data set of samples with `features` values, labelled with classes 0..classes-1,
    /// or, with `classes` 0, carrying `targets` values per sample. `name` appears in messages.
    dataset(std::string name, std::size_t features, std::size_t classes, std::size_t targets = 0)
        : name_(std::move(name)), features_(features), classes_(classes), targets_(targets) {}

    /// An empty labelled data set that stores each value as a byte b, read as b / divisor (an
    /// image's pixels with divisor 255, say).
    [[nodiscard]] static dataset of_bytes(std::string name, std::size_t features,
                                          std::size_t classes, float divisor) {
        dataset d(std::move(name), features, classes);
        d.bytes_mode_ = true;
        d.byte_divisor_ = divisor;
        for (std::size_t v = 0; v < d.byte_values_.size(); ++v) {
            d.byte_values_[v] = static_cast<float>(v) / divisor;
        }
        return d;
    }

    /// Whether values are stored as bytes (see `of_bytes`).
    [[nodiscard]] bool stores_bytes() const noexcept { return bytes_mode_; }

    /// Adds a labelled sample to a data set made by `of_bytes`.
    void add(std::span<const std::uint8_t> values, std::uint32_t label) {
        if (!bytes_mode_) {
            throw argument_error(name_ + ": a sample of bytes added to a data set of floats");
        }
        check_width(values.size());
        check_label(label);
        bytes_.insert(bytes_.end(), values.begin(), values.end());
        labels_.push_back(label);
    }

    /// Adds a labelled sample.
    void add(std::span<const float> values, std::uint32_t label) {
        check_floats();
        check_width(values.size());
        check_label(label);
        values_.insert(values_.end(), values.begin(), values.end());
        labels_.push_back(label);
    }

    /// Adds a sample with target values.
    void add(std::span<const float> values, std::span<const float> targets) {
        check_floats();
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
        if (bytes_mode_)
            bytes_.reserve(samples * features_);
        else
            values_.reserve(samples * features_);
        if (targets_ == 0)
            labels_.reserve(samples);
        else
            target_values_.reserve(samples * targets_);
    }

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] std::size_t size() const noexcept {
        return features_ == 0 ? 0 : (bytes_mode_ ? bytes_.size() : values_.size()) / features_;
    }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }
    [[nodiscard]] std::size_t features() const noexcept { return features_; }
    /// The number of classes; 0 for a data set with target values.
    [[nodiscard]] std::size_t classes() const noexcept { return classes_; }
    /// Target values per sample; 0 for a labelled data set.
    [[nodiscard]] std::size_t targets() const noexcept { return targets_; }
    [[nodiscard]] bool labelled() const noexcept { return classes_ > 0; }

    [[nodiscard]] sample_view sample(std::size_t i) const noexcept {
        if (bytes_mode_) return {bytes_.data() + i * features_, byte_values_.data(), features_};
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
        d.bytes_mode_ = bytes_mode_;
        d.byte_values_ = byte_values_;
        d.byte_divisor_ = byte_divisor_;
        const std::size_t n = std::min(count, size());
        const auto prefix = [](const auto& from, auto& to, std::size_t length) {
            to.assign(from.begin(), from.begin() + static_cast<std::ptrdiff_t>(length));
        };
        prefix(values_, d.values_, bytes_mode_ ? 0 : n * features_);
        prefix(bytes_, d.bytes_, bytes_mode_ ? n * features_ : 0);
        prefix(labels_, d.labels_, labelled() ? n : 0);
        prefix(target_values_, d.target_values_, labelled() ? 0 : n * targets_);
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
        if (bytes_mode_) {
            const float* table = byte_values_.data();
            gather_blocks(
                indices, x, bytes_.data(), [table](std::uint8_t v) { return table[v]; },
                byte_divisor_);
        } else {
            gather_blocks(indices, x, values_.data(), [](float v) { return v; });
        }
    }

    /// Copies the labels of the samples `indices` into `out`.
    void gather_labels(std::span<const std::size_t> indices,
                       std::vector<std::uint32_t>& out) const {
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
    // For each feature, the values of up to 128 samples at a time: every row of x is written
    // in order, and the samples' values are read from at most 128 places, all of them in cache
    // after the first feature. (Writing x column by column instead is twice as slow: each value
    // goes to another cache line.) Bytes are read eight features at a time, and each sample's
    // next cache line is requested a line ahead: 128 interleaved streams are more than the
    // hardware prefetcher follows. On x86-64 and AArch64 each block of eight samples by eight
    // features is transposed in registers (detail/byte_transpose.hpp); elsewhere, and for the
    // samples and features left over, one 8-byte load per sample feeds eight table lookups.
    // Gathering the 60 000 samples of a Fashion-MNIST epoch took 42 ms a byte at a time, 30 ms with
    // the 8-byte loads and about 20 ms with the transposition (Zen 3, one thread).
    template <std::size_t Features, class T, class Convert>
    void gather_blocks(std::span<const std::size_t> indices, batch<Features>& x, const T* values,
                       Convert convert, [[maybe_unused]] float divisor = 1.0f) const {
        constexpr std::size_t chunk = 128;
        constexpr std::size_t step = std::is_same_v<T, std::uint8_t> ? 8 : 1;
        const std::size_t stride = x.stride();
        float* const base = x.data();
        const T* rows[chunk];
        for (std::size_t j0 = 0; j0 < indices.size(); j0 += chunk) {
            const std::size_t n = std::min(chunk, indices.size() - j0);
            for (std::size_t q = 0; q < n; ++q) rows[q] = values + indices[j0 + q] * Features;
            std::size_t f = 0;
            if constexpr (step > 1) {
                for (; f + step <= Features; f += step) {
                    float* NEUROPLASTIC_RESTRICT out = base + f * stride + j0;
                    const bool next_line = f % 64 == 0 && f + 64 < Features;
                    std::size_t q = 0;
#if NEUROPLASTIC_BYTE_TRANSPOSE
                    for (; q + 8 <= n; q += 8) {
                        const std::uint8_t* block[8];
                        for (std::size_t b = 0; b < 8; ++b) {
                            block[b] = rows[q + b] + f;
                            if (next_line) NEUROPLASTIC_PREFETCH(block[b] + 64);
                        }
                        detail::transpose_bytes_8x8(block, divisor, out + q, stride);
                    }
#endif
                    for (; q < n; ++q) {
                        if (next_line) NEUROPLASTIC_PREFETCH(rows[q] + f + 64);
                        std::uint64_t eight;
                        std::memcpy(&eight, rows[q] + f, sizeof eight);
                        for (unsigned k = 0; k < step; ++k) {
                            // Byte k is feature f + k whatever the machine's byte order.
                            const unsigned shift =
                                std::endian::native == std::endian::little ? 8 * k : 56 - 8 * k;
                            out[k * stride + q] = convert(static_cast<T>(eight >> shift));
                        }
                    }
                }
            }
            if constexpr (step == 1 || Features % step != 0) {
                for (; f < Features; ++f) {
                    float* NEUROPLASTIC_RESTRICT out = base + f * stride + j0;
                    for (std::size_t q = 0; q < n; ++q) out[q] = convert(rows[q][f]);
                }
            }
        }
    }

    void check_floats() const {
        if (bytes_mode_) {
            throw argument_error(name_ + ": a sample of floats added to a data set of bytes");
        }
    }

    void check_label(std::uint32_t label) const {
        if (classes_ == 0 || label >= classes_) {
            throw data_error(name_ + ": label " + std::to_string(label) + " of sample " +
                             std::to_string(size()) + " is outside the " +
                             std::to_string(classes_) + " classes");
        }
    }

    void check_width(std::size_t found) const {
        if (found != features_) {
            throw data_error(name_ + ": expected " + std::to_string(features_) +
                             " feature values for sample " + std::to_string(size()) + ", found " +
                             std::to_string(found));
        }
    }

    std::string name_;
    std::size_t features_ = 0;
    std::size_t classes_ = 0;
    std::size_t targets_ = 0;
    std::vector<float> values_;
    std::vector<std::uint32_t> labels_;
    std::vector<float> target_values_;
    bool bytes_mode_ = false;
    std::vector<std::uint8_t> bytes_;
    std::array<float, 256> byte_values_{};  // byte_values_[b] == float(b) / byte_divisor_
    float byte_divisor_ = 1.0f;
};

/// A training set and a test set.
struct dataset_split {
    dataset train;
    dataset test;
};

}  // namespace neuroplastic
