// The rules of structural plasticity, apart from any layer: which live connections to prune and
// which absent ones to grow, on a connection table and its weights. A sparse layer uses them; so
// can any structure that keeps its connections in a connection_table.
//
// - prune_smallest: the k live connections of smallest |w| (RigL; Evci et al., ICML 2020).
// - prune_signed (SET; Mocanu et al., Nature Communications 2018): the fraction zeta of the
//   positive weights closest to zero and, separately, of the negative weights closest to zero,
//   and every weight that is zero (or NaN).
// - grow_random: k absent connections uniformly at random (SET).
// - grow_largest: the k absent connections with the largest score, e.g. the magnitude of the
//   dense gradient (RigL) or of a momentum of it (Sparse Momentum; Dettmers and Zettlemoyer,
//   "Sparse networks from scratch: faster training without losing performance", 2019).
//
// "Absent" means absent after the pruning: a connection pruned in this update may grow back, as
// in both papers' implementations. Ties are broken by position (row, then column), so every rule
// is deterministic.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../core/random.hpp"
#include "../kernels/simd.hpp"
#include "connection_table.hpp"

namespace neuroplastic::topology {

/// Which connections may exist; everything by default. A graph of neurons allows only earlier
/// neurons as inputs.
using allowed_fn = std::function<bool(std::size_t row, std::size_t col)>;

namespace detail {

// Marks the slots in `removed`, for "live and not pruned" tests.
inline std::vector<std::uint8_t> removal_marks(const connection_table& t,
                                               std::span<const std::uint32_t> removed) {
    std::vector<std::uint8_t> marks(t.capacity(), 0);
    for (const std::uint32_t s : removed) marks[s] = 1;
    return marks;
}

// |x| as an integer that orders like the float (positive IEEE floats do), NaN as 0.
NEUROPLASTIC_INLINE std::uint32_t magnitude_key(float x) noexcept {
    const std::uint32_t magnitude = std::bit_cast<std::uint32_t>(x) & 0x7fffffffu;
    return magnitude > 0x7f800000u ? std::uint32_t{0} : magnitude;  // above infinity: NaN
}

// The k-th smallest of `keys` (1 <= k <= keys.size()) and how many keys are smaller, by a radix
// select on digits of 11, 11 and 10 bits from the top: each round counts one digit of the keys
// still in play (8 KiB of counters, in L1), finds the digit value that holds the k-th, and keeps
// only the keys with that value. The first round and the filter after it read every key; the
// second round counts only the first round's bin, the third only the second's. On the 23 500
// weights of a 784 x 300 layer at density 0.1 pruning took 0.14-0.19 ms this way against 0.25-0.28
// ms with nth_element, whose comparisons mispredict (bench_topology's prune); on 3500 weights the
// three rounds of counters cost a few microseconds more.
inline std::pair<std::uint32_t, std::size_t> kth_smallest(std::span<const std::uint32_t> keys,
                                                          std::size_t k) {
    constexpr unsigned shifts[3] = {21, 10, 0};
    constexpr std::uint32_t masks[3] = {0x7ff, 0x7ff, 0x3ff};
    std::vector<std::uint32_t> count(2048), kept;
    std::span<const std::uint32_t> in_play = keys;
    std::uint32_t prefix = 0;  // the digits found so far, in place
    std::size_t smaller = 0;
    for (std::size_t round = 0; round < 3; ++round) {
        std::fill(count.begin(), count.end(), 0u);
        for (const std::uint32_t key : in_play) ++count[(key >> shifts[round]) & masks[round]];
        std::uint32_t digit = 0;
        while (count[digit] < k) k -= count[digit], smaller += count[digit], ++digit;
        prefix |= digit << shifts[round];
        if (round == 2) break;
        // The keys whose digits so far match: the bin that holds the k-th.
        const std::uint32_t high_mask = ~((std::uint32_t{1} << shifts[round]) - 1);
        std::vector<std::uint32_t> next;
        next.reserve(count[digit]);
        for (const std::uint32_t key : in_play) {
            if ((key & high_mask) == prefix) next.push_back(key);
        }
        kept.swap(next);
        in_play = kept;
    }
    return {prefix, smaller};
}

// The indices of the k smallest keys, ties going to the lower index, in ascending order. The
// k-th smallest key is found without ordering anything (kth_smallest), then one pass takes every
// smaller key and, of the keys equal to it, the first ones, without a branch per key.
inline std::vector<std::uint32_t> first_in_order(std::span<const std::uint32_t> keys,
                                                 std::size_t k) {
    k = std::min(k, keys.size());
    if (k == 0) return {};
    const auto [edge, smaller] = kth_smallest(keys, k);
    // Keys equal to the k-th that make the cut: the k places less those the smaller keys take.
    std::size_t ties = k - smaller;
    std::vector<std::uint32_t> out(k);
    std::size_t n = 0;
    for (std::size_t j = 0; j < keys.size() && n < k; ++j) {
        const std::size_t tie = keys[j] == edge && ties > 0 ? 1 : 0;
        ties -= tie;
        out[n] = static_cast<std::uint32_t>(j);  // kept only if chosen
        n += (keys[j] < edge ? 1 : 0) | tie;
    }
    return out;
}

}  // namespace detail

/// The slots of the `k` live connections with the smallest |w| (a NaN counts as zero).
[[nodiscard]] inline std::vector<std::uint32_t> prune_smallest(const connection_table& t,
                                                               std::span<const float> weights,
                                                               std::size_t k) {
    // Live slots in position order; their slots ascend with it.
    std::vector<std::uint32_t> keys, slots;
    keys.reserve(t.live());
    slots.reserve(t.live());
    t.for_each([&](std::size_t, std::size_t, std::size_t s) {
        keys.push_back(detail::magnitude_key(weights[s]));
        slots.push_back(static_cast<std::uint32_t>(s));
    });
    std::vector<std::uint32_t> out = detail::first_in_order(keys, k);
    for (std::uint32_t& j : out) j = slots[j];
    return out;
}

/// SET's rule: floor(zeta * positives) of the smallest positive weights, floor(zeta * negatives)
/// of the negative weights closest to zero, and the weights that are zero or NaN.
[[nodiscard]] inline std::vector<std::uint32_t> prune_signed(const connection_table& t,
                                                             std::span<const float> weights,
                                                             double zeta) {
    std::vector<std::uint32_t> positive_keys, positive_slots, negative_keys, negative_slots, out;
    t.for_each([&](std::size_t, std::size_t, std::size_t s) {
        const float w = weights[s];
        if (w > 0.0f) {
            positive_keys.push_back(detail::magnitude_key(w));
            positive_slots.push_back(static_cast<std::uint32_t>(s));
        } else if (w < 0.0f) {
            negative_keys.push_back(detail::magnitude_key(w));
            negative_slots.push_back(static_cast<std::uint32_t>(s));
        } else {
            out.push_back(static_cast<std::uint32_t>(s));
        }
    });
    const auto take = [&](const std::vector<std::uint32_t>& keys,
                          const std::vector<std::uint32_t>& slots) {
        const auto k = static_cast<std::size_t>(zeta * double(keys.size()));
        for (const std::uint32_t j : detail::first_in_order(keys, k)) out.push_back(slots[j]);
    };
    take(positive_keys, positive_slots);
    take(negative_keys, negative_slots);
    std::sort(out.begin(), out.end());
    return out;
}

/// `k` distinct connections, absent once `removed` is pruned and allowed, uniformly at random.
[[nodiscard]] inline std::vector<connection> grow_random(const connection_table& t,
                                                         std::span<const std::uint32_t> removed,
                                                         std::size_t k, rng& g,
                                                         const allowed_fn& allowed = {}) {
    const std::vector<std::uint8_t> gone = detail::removal_marks(t, removed);
    const auto absent = [&](std::size_t r, std::size_t c) {
        if (allowed && !allowed(r, c)) return false;
        const std::size_t s = t.find(r, c);
        return s == connection_table::npos || gone[s] != 0;
    };
    const std::uint64_t total = std::uint64_t(t.rows()) * t.cols();
    const std::uint64_t kept = t.live() - removed.size();
    std::vector<connection> out;
    if (total == 0) return out;

    if (!allowed && kept * 2 <= total) {
        // Mostly empty: draw positions and reject the taken ones; each draw succeeds with
        // probability at least one half.
        std::unordered_set<std::uint64_t> chosen;
        const std::uint64_t available = total - kept;
        k = static_cast<std::size_t>(std::min<std::uint64_t>(k, available));
        while (out.size() < k) {
            const std::uint64_t p = g.below(total);
            const std::size_t r = static_cast<std::size_t>(p / t.cols());
            const std::size_t c = static_cast<std::size_t>(p % t.cols());
            if (absent(r, c) && chosen.insert(p).second) {
                out.push_back({std::uint32_t(r), std::uint32_t(c)});
            }
        }
    } else {
        // Mostly full, or restricted: list the candidates and draw k of them without repeats.
        std::vector<connection> candidates;
        for (std::size_t r = 0; r < t.rows(); ++r) {
            for (std::size_t c = 0; c < t.cols(); ++c) {
                if (absent(r, c)) candidates.push_back({std::uint32_t(r), std::uint32_t(c)});
            }
        }
        k = std::min(k, candidates.size());
        for (std::size_t j = 0; j < k; ++j) {
            const auto pick = j + static_cast<std::size_t>(g.below(candidates.size() - j));
            std::swap(candidates[j], candidates[pick]);
            out.push_back(candidates[j]);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

namespace detail {

// Keys are counted in 2048 bins of their top 11 bits (8 KiB of counters, in L1). A key's top bit
// is clear, so 1024 of them are used: eight exponent bits and two of the mantissa, four bins to
// an octave of |score|.
inline constexpr unsigned score_bin_shift = 21;
inline constexpr std::size_t score_bins = std::size_t{1} << (32 - score_bin_shift);

// The greatest bin b such that the bins from b up count at least `needed`; 0 when all of them
// count less.
inline std::size_t bin_holding(std::span<const std::uint32_t> histogram,
                               std::size_t needed) noexcept {
    std::size_t bin = histogram.size(), above = 0;
    while (bin > 1 && above + histogram[bin - 1] < needed) above += histogram[--bin];
    return bin - 1;
}

struct scored_position {
    std::uint32_t key;
    std::uint64_t position;
};

// Appends to `found`, in position order, every position of an unrestricted table that is absent
// once `gone` is pruned and whose key lies in bin `least` or above. Most registers of scores hold
// no such key and are passed over whole: |score| >= the bin's least value exactly when the key's
// bin is at least `least` (a NaN compares false; its key, 0, lies in bin 0, which is never passed
// over). Whether a candidate is kept is read from a mark per column of its row, set from the
// row's live slots and cleared after it, and the candidate is appended without a branch: which
// candidates are live changes at random, and walking the row's columns beside them, branching on
// each, made growth at density 0.1 take 0.52-0.60 ms instead of 0.35-0.37 (bench_topology's
// grow). Searching the row for each candidate had been slower still.
inline void append_absent_from_bin(const connection_table& t, std::span<const std::uint8_t> gone,
                                   std::span<const float> scores, std::size_t least,
                                   std::vector<scored_position>& found) {
    constexpr std::size_t w = simd::width;
    const simd::vec least_value =
        simd::broadcast(std::bit_cast<float>(static_cast<std::uint32_t>(least << score_bin_shift)));
    const std::size_t whole = least > 0 ? t.cols() / w * w : 0;
    // A row's columns from the bin up, gathered without a branch per score.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pending(t.cols());  // (column, key)
    std::vector<std::uint8_t> kept(t.cols(), 0);
    for (std::size_t r = 0; r < t.rows(); ++r) {
        const float* row_scores = scores.data() + r * t.cols();
        std::size_t n = 0;
        const auto gather = [&](std::size_t from, std::size_t to) {
            for (std::size_t c = from; c < to; ++c) {
                const std::uint32_t key = magnitude_key(row_scores[c]);
                pending[n] = {static_cast<std::uint32_t>(c), key};
                n += (key >> score_bin_shift) >= least ? 1 : 0;
            }
        };
        for (std::size_t c = 0; c < whole; c += w) {
            if (simd::any(simd::abs(simd::load_unaligned(row_scores + c)) >= least_value)) {
                gather(c, c + w);
            }
        }
        gather(whole, t.cols());
        if (n == 0) continue;

        const auto cols = t.row_columns(r);
        const std::size_t begin = t.row_begin(r);
        for (std::size_t j = 0; j < cols.size(); ++j) kept[cols[j]] = gone[begin + j] == 0 ? 1 : 0;
        std::size_t m = found.size();
        found.resize(m + n);
        const std::uint64_t row_start = std::uint64_t(r) * t.cols();
        for (std::size_t j = 0; j < n; ++j) {
            const auto [c, key] = pending[j];
            found[m] = {key, row_start + c};
            m += 1 - std::size_t{kept[c]};
        }
        found.resize(m);
        for (const std::uint32_t c : cols) kept[c] = 0;
    }
}

// The first k of `v` (in position order) by key descending, then position, as connections in
// position order.
inline std::vector<connection> largest_k(std::span<const scored_position> v, std::size_t k,
                                         std::size_t cols) {
    std::vector<std::uint32_t> descending(v.size());
    for (std::size_t j = 0; j < v.size(); ++j) descending[j] = ~v[j].key;
    std::vector<connection> out;
    for (const std::uint32_t j : first_in_order(descending, k)) {
        out.push_back({std::uint32_t(v[j].position / cols), std::uint32_t(v[j].position % cols)});
    }
    return out;
}

// Tries the selection of grow_largest on an unrestricted table from a threshold guessed on a
// sample: a histogram of a sixteenth of the scores picks a bin above which about 1.5 k + 256 scores
// should lie, and one pass collects the absent positions from that bin up. If they are at least
// k, they hold the k largest (every other absent position has a smaller key) and the result is
// exact; otherwise (kept connections holding most of the top scores, a sample that misled)
// it returns nothing and the caller counts every score. Counting every score is the costly
// part of the exact selection (one increment of a counter in memory per score, 0.2 ms for the
// 235 200 scores of a 784 x 300 layer on Zen 3), while passing over registers of scores below
// a threshold costs a seventh of that (0.03 ms).
inline std::optional<std::vector<connection>> grow_largest_sampled(
    const connection_table& t, std::span<const std::uint8_t> gone, std::span<const float> scores,
    std::size_t k) {
    // The sample: the first 16 scores of every 256, so that it reads a sixteenth of the cache
    // lines the scores fill (every 16th score would read every line).
    constexpr std::size_t run = 16, stride = 16;
    const std::size_t total = t.rows() * t.cols();
    if (k == 0 || k >= total || total < 64 * stride) return std::nullopt;
    std::vector<std::uint32_t> histogram(score_bins, 0);
    for (std::size_t from = 0; from < total; from += run * stride) {
        const std::size_t to = std::min(from + run, total);
        for (std::size_t p = from; p < to; ++p) {
            ++histogram[magnitude_key(scores[p]) >> score_bin_shift];
        }
    }
    const std::size_t expected = k + k / 2 + 256;
    const std::size_t least = bin_holding(histogram, (expected + stride - 1) / stride);
    if (least == 0) return std::nullopt;  // the sample cannot tell: count everything
    std::vector<scored_position> found;
    found.reserve(std::min(expected * 2, total));
    append_absent_from_bin(t, gone, scores, least, found);
    if (found.size() < k) return std::nullopt;
    return largest_k(found, k, t.cols());
}

}  // namespace detail

/// The `k` connections, absent once `removed` is pruned and allowed, with the largest
/// |scores[row * cols + col]| (a NaN score counts as zero).
///
/// Nothing is sorted. Without a restriction, a threshold guessed from a sample of the scores
/// usually leaves about 1.5 k candidates after one filtering pass (detail::grow_largest_sampled).
/// Otherwise a histogram of every candidate's leading bits finds the bin that holds the k-th
/// largest, and the candidates from that bin up (at most k plus the bin's) are kept. Of these,
/// the k-th largest key is found by a radix select and one ordered pass takes the k. Both routes
/// give the same, exact result.
[[nodiscard]] inline std::vector<connection> grow_largest(const connection_table& t,
                                                          std::span<const std::uint32_t> removed,
                                                          std::span<const float> scores,
                                                          std::size_t k,
                                                          const allowed_fn& allowed = {}) {
    using detail::magnitude_key;
    using detail::score_bin_shift;
    const std::vector<std::uint8_t> gone = detail::removal_marks(t, removed);
    const bool restricted = static_cast<bool>(allowed);
    if (!restricted) {
        if (auto chosen = detail::grow_largest_sampled(t, gone, scores, k)) return *chosen;
    }
    // Calls f(position) for every candidate of a restricted table, in position order.
    const auto for_each_candidate = [&](auto&& f) {
        for (std::size_t r = 0; r < t.rows(); ++r) {
            const auto cols = t.row_columns(r);
            const std::size_t begin = t.row_begin(r);
            std::size_t next = 0;  // the next live connection of the row, in column order
            const std::uint64_t row_start = std::uint64_t(r) * t.cols();
            for (std::size_t c = 0; c < t.cols(); ++c) {
                if (next < cols.size() && cols[next] == c) {
                    const bool pruned = gone[begin + next] != 0;
                    ++next;
                    if (!pruned) continue;
                }
                if (!allowed(r, c)) continue;
                f(row_start + c);
            }
        }
    };

    std::vector<std::uint32_t> histogram(detail::score_bins, 0);
    std::size_t candidates = 0;
    if (restricted) {
        for_each_candidate([&](std::uint64_t p) {
            ++histogram[magnitude_key(scores[p]) >> score_bin_shift];
            ++candidates;
        });
    } else {
        // Every position, then without the kept connections: one tight pass over the scores.
        const std::size_t total = t.rows() * t.cols();
        for (std::size_t p = 0; p < total; ++p)
            ++histogram[magnitude_key(scores[p]) >> score_bin_shift];
        candidates = total;
        t.for_each([&](std::size_t r, std::size_t c, std::size_t slot) {
            if (gone[slot] != 0) return;
            --histogram[magnitude_key(scores[r * t.cols() + c]) >> score_bin_shift];
            --candidates;
        });
    }
    k = std::min(k, candidates);
    if (k == 0) return {};

    // Every candidate from the bin holding the k-th largest up; the k largest of them.
    const std::size_t least = detail::bin_holding(histogram, k);
    std::vector<detail::scored_position> found;
    if (restricted) {
        for_each_candidate([&](std::uint64_t p) {
            const std::uint32_t key = magnitude_key(scores[p]);
            if ((key >> score_bin_shift) >= least) found.push_back({key, p});
        });
    } else {
        detail::append_absent_from_bin(t, gone, scores, least, found);
    }
    return detail::largest_k(found, k, t.cols());
}

}  // namespace neuroplastic::topology
