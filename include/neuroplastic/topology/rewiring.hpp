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
/// |scores[row * cols + col]|.
[[nodiscard]] inline std::vector<connection> grow_largest(const connection_table& t,
                                                          std::span<const std::uint32_t> removed,
                                                          std::span<const float> scores,
                                                          std::size_t k,
                                                          const allowed_fn& allowed = {}) {
    const std::vector<std::uint8_t> gone = detail::removal_marks(t, removed);
    struct candidate {
        float score;
        std::uint64_t position;
    };
    std::vector<candidate> v;
    v.reserve(t.rows() * t.cols() - (t.live() - removed.size()));
    for (std::size_t r = 0; r < t.rows(); ++r) {
        const auto cols = t.row_columns(r);
        const std::size_t begin = t.row_begin(r);
        std::size_t next = 0;  // the next live connection of the row, in column order
        for (std::size_t c = 0; c < t.cols(); ++c) {
            if (next < cols.size() && cols[next] == c) {
                const bool pruned = gone[begin + next] != 0;
                ++next;
                if (!pruned) continue;
            }
            if (allowed && !allowed(r, c)) continue;
            const std::uint64_t p = std::uint64_t(r) * t.cols() + c;
            v.push_back({std::abs(scores[p]), p});
        }
    }
    k = std::min(k, v.size());
    const auto before = [](const candidate& a, const candidate& b) {
        return a.score > b.score || (a.score == b.score && a.position < b.position);
    };
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), before);
    std::vector<connection> out;
    out.reserve(k);
    for (std::size_t j = 0; j < k; ++j) {
        out.push_back(
            {std::uint32_t(v[j].position / t.cols()), std::uint32_t(v[j].position % t.cols())});
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace neuroplastic::topology
