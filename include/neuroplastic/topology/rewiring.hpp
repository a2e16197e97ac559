// The rules of structural plasticity, apart from any layer: which live connections to prune and
// which absent ones to grow, on a connection table and its weights. A sparse layer uses them; so
// can any structure that keeps its connections in a connection_table.
//
// - prune_smallest: the k live connections of smallest |w| (RigL; Evci et al., ICML 2020).
// - prune_signed (SET; Mocanu et al., Nature Communications 2018): the fraction zeta of the
//   positive weights closest to zero and, separately, of the negative weights closest to zero,
//   and every weight that is exactly zero.
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
#include <span>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../core/random.hpp"
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

struct ranked_slot {
    float key;
    std::uint64_t position;
    std::uint32_t slot;
};

inline std::vector<std::uint32_t> first_k(std::vector<ranked_slot>& v, std::size_t k) {
    k = std::min(k, v.size());
    const auto before = [](const ranked_slot& a, const ranked_slot& b) {
        return a.key < b.key || (a.key == b.key && a.position < b.position);
    };
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), before);
    std::vector<std::uint32_t> out;
    out.reserve(k);
    for (std::size_t j = 0; j < k; ++j) out.push_back(v[j].slot);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace detail

/// The slots of the `k` live connections with the smallest |w|.
[[nodiscard]] inline std::vector<std::uint32_t> prune_smallest(const connection_table& t,
                                                               std::span<const float> weights,
                                                               std::size_t k) {
    std::vector<detail::ranked_slot> v;
    v.reserve(t.live());
    t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
        v.push_back({std::abs(weights[s]), std::uint64_t(r) * t.cols() + c, std::uint32_t(s)});
    });
    return detail::first_k(v, k);
}

/// SET's rule: floor(zeta * positives) of the smallest positive weights, floor(zeta * negatives)
/// of the negative weights closest to zero, and the weights that are exactly zero.
[[nodiscard]] inline std::vector<std::uint32_t> prune_signed(const connection_table& t,
                                                             std::span<const float> weights,
                                                             double zeta) {
    std::vector<detail::ranked_slot> positive, negative;
    std::vector<std::uint32_t> out;
    t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
        const float w = weights[s];
        const std::uint64_t position = std::uint64_t(r) * t.cols() + c;
        if (w > 0.0f) {
            positive.push_back({w, position, std::uint32_t(s)});
        } else if (w < 0.0f) {
            negative.push_back({-w, position, std::uint32_t(s)});
        } else {
            out.push_back(std::uint32_t(s));
        }
    });
    const auto take = [&](std::vector<detail::ranked_slot>& v) {
        const auto k = static_cast<std::size_t>(zeta * double(v.size()));
        for (const std::uint32_t s : detail::first_k(v, k)) out.push_back(s);
    };
    take(positive);
    take(negative);
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

/// The `k` connections, absent once `removed` is pruned and allowed, with the largest
/// |scores[row * cols + col]| (a NaN score counts as zero).
///
/// The selection runs in two passes over the candidates without sorting them: a histogram of the
/// scores' leading bits finds the bin that holds the k-th largest, then only that bin's
/// candidates are ordered. For RigL on a 784 x 300 layer this takes a fraction of what ordering
/// all 200 000 candidates took.
[[nodiscard]] inline std::vector<connection> grow_largest(const connection_table& t,
                                                          std::span<const std::uint32_t> removed,
                                                          std::span<const float> scores,
                                                          std::size_t k,
                                                          const allowed_fn& allowed = {}) {
    const std::vector<std::uint8_t> gone = detail::removal_marks(t, removed);
    // |score| as an integer that orders like the float (positive IEEE floats do), NaN as 0.
    const auto key = [](float score) {
        const float a = std::abs(score);
        return a == a ? std::bit_cast<std::uint32_t>(a) : std::uint32_t{0};
    };
    // Calls f(position) for every candidate, in position order.
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
                if (allowed && !allowed(r, c)) continue;
                f(row_start + c);
            }
        }
    };

    constexpr unsigned bin_shift = 21;  // 2048 bins over the top 11 bits: 8 KiB, in L1
    std::vector<std::uint32_t> histogram(std::size_t{1} << (32 - bin_shift), 0);
    std::size_t candidates = 0;
    const bool restricted = static_cast<bool>(allowed);
    if (restricted) {
        for_each_candidate([&](std::uint64_t p) {
            ++histogram[key(scores[p]) >> bin_shift];
            ++candidates;
        });
    } else {
        // Every position, then without the kept connections: one tight pass over the scores.
        const std::size_t total = t.rows() * t.cols();
        for (std::size_t p = 0; p < total; ++p) ++histogram[key(scores[p]) >> bin_shift];
        candidates = total;
        t.for_each([&](std::size_t r, std::size_t c, std::size_t slot) {
            if (gone[slot] != 0) return;
            --histogram[key(scores[r * t.cols() + c]) >> bin_shift];
            --candidates;
        });
    }
    k = std::min(k, candidates);
    std::vector<connection> out;
    if (k == 0) return out;

    // The bin holding the k-th largest, and how many of the k lie above it.
    std::size_t bin = histogram.size(), above = 0;
    while (bin > 0 && above + histogram[bin - 1] < k) above += histogram[--bin];
    --bin;
    const std::size_t from_bin = k - above;

    struct candidate {
        std::uint32_t key;
        std::uint64_t position;
    };
    std::vector<candidate> edge;
    edge.reserve(histogram[bin]);
    out.reserve(k);
    const auto take = [&](std::uint64_t p, std::uint32_t kv) {
        if ((kv >> bin_shift) > bin) {
            out.push_back({std::uint32_t(p / t.cols()), std::uint32_t(p % t.cols())});
        } else {
            edge.push_back({kv, p});
        }
    };
    if (restricted) {
        for_each_candidate([&](std::uint64_t p) {
            const std::uint32_t kv = key(scores[p]);
            if ((kv >> bin_shift) >= bin) take(p, kv);
        });
    } else {
        // Only positions in or above the bin can be chosen. Whether one is kept is found by
        // walking the row's live columns beside it (both ascend): the bin can hold many
        // positions, and searching the row for each made a RigL update of sparse LeNet-300-100
        // at density 0.1 take 3.29 ms instead of 2.69 (bench_topology).
        for (std::size_t r = 0; r < t.rows(); ++r) {
            const float* row_scores = scores.data() + r * t.cols();
            const auto cols = t.row_columns(r);
            const std::size_t begin = t.row_begin(r);
            std::size_t next = 0;
            for (std::size_t c = 0; c < t.cols(); ++c) {
                const std::uint32_t kv = key(row_scores[c]);
                if ((kv >> bin_shift) < bin) continue;
                while (next < cols.size() && cols[next] < c) ++next;
                if (next < cols.size() && cols[next] == c && gone[begin + next] == 0) continue;
                take(std::uint64_t(r) * t.cols() + c, kv);
            }
        }
    }
    const auto before = [](const candidate& a, const candidate& b) {
        return a.key > b.key || (a.key == b.key && a.position < b.position);
    };
    std::nth_element(edge.begin(), edge.begin() + static_cast<std::ptrdiff_t>(from_bin), edge.end(),
                     before);
    // `out` holds the connections above the bin in position order; add the bin's in order too.
    std::sort(edge.begin(), edge.begin() + static_cast<std::ptrdiff_t>(from_bin),
              [](const candidate& a, const candidate& b) { return a.position < b.position; });
    const auto middle = static_cast<std::ptrdiff_t>(out.size());
    for (std::size_t j = 0; j < from_bin; ++j) {
        out.push_back({std::uint32_t(edge[j].position / t.cols()),
                       std::uint32_t(edge[j].position % t.cols())});
    }
    std::inplace_merge(out.begin(), out.begin() + middle, out.end());
    return out;
}

}  // namespace neuroplastic::topology
