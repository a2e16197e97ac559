// The live connections of a plastic structure: which input (column) feeds which neuron (row).
// Connections are stored by row in compressed rows with slack: each row owns a run of slots, its
// live connections first, in ascending column order, and free slots after them, so a rewiring
// rewrites only the rows it touches. Only when a row outgrows its run is the whole table laid
// out again (counted by `repacks()`). A transposed index (by column) is rebuilt after each
// change for the kernels that run over inputs.
//
// The per-connection values (weights, their gradient, optimiser state) live in a `parameter`
// indexed by slot; rewiring moves them with their connections and zeroes what it frees, so
// free slots hold zero weights, zero gradients and zero state, and optimiser steps leave them so.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "../core/error.hpp"
#include "../core/parameter.hpp"
#include "../kernels/sparse.hpp"

namespace neuroplastic {

/// A connection from input `col` to neuron `row`.
struct connection {
    std::uint32_t row = 0;
    std::uint32_t col = 0;
    friend bool operator==(const connection&, const connection&) = default;
    friend auto operator<=>(const connection&, const connection&) = default;
};

/// Compressed rows with slack; see the top of this header.
class connection_table {
public:
    /// Free slots given to a row of `count` connections when the table is laid out.
    static std::size_t slack_for(std::size_t count) noexcept {
        return std::max<std::size_t>(4, count / 4);
    }

    connection_table() = default;

    /// An empty table of `rows` neurons reading `cols` inputs.
    connection_table(std::size_t rows, std::size_t cols) : rows_(rows), cols_(cols) {
        if (rows > max_index || cols > max_index) {
            throw argument_error("connection_table: at most 2^32 - 1 rows and columns, found " +
                                 std::to_string(rows) + " x " + std::to_string(cols));
        }
        lay_out(std::vector<std::uint32_t>(rows, 0));
    }

    /// Replaces every connection by `positions`, given as row * cols() + col in ascending order
    /// without repeats. The slots are laid out afresh: resize the payload to capacity().
    void assign(std::span<const std::uint64_t> positions) {
        std::vector<std::uint32_t> counts(rows_, 0);
        std::uint64_t previous = 0;
        for (std::size_t j = 0; j < positions.size(); ++j) {
            const std::uint64_t p = positions[j];
            if (p >= std::uint64_t(rows_) * cols_ || (j > 0 && p <= previous)) {
                throw argument_error("connection_table::assign: positions must ascend below " +
                                     std::to_string(std::uint64_t(rows_) * cols_) + "; found " +
                                     std::to_string(p) + " at index " + std::to_string(j));
            }
            previous = p;
            ++counts[p / cols_];
        }
        lay_out(counts);
        std::vector<std::uint32_t> fill(rows_, 0);
        for (const std::uint64_t p : positions) {
            const auto row = static_cast<std::size_t>(p / cols_);
            column_[begin_[row] + fill[row]++] = static_cast<std::uint32_t>(p % cols_);
        }
        rebuild_columns();
    }

    [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
    [[nodiscard]] std::size_t cols() const noexcept { return cols_; }
    /// Live connections.
    [[nodiscard]] std::size_t live() const noexcept { return live_; }
    /// Slots, live and free: the size of the payload.
    [[nodiscard]] std::size_t capacity() const noexcept { return column_.size(); }
    /// live() / (rows() * cols()).
    [[nodiscard]] double density() const noexcept {
        return rows_ * cols_ == 0 ? 0.0 : double(live_) / (double(rows_) * double(cols_));
    }
    /// How many times the whole table was laid out again because a row outgrew its slots.
    [[nodiscard]] std::size_t repacks() const noexcept { return repacks_; }

    [[nodiscard]] std::size_t row_begin(std::size_t row) const noexcept { return begin_[row]; }
    [[nodiscard]] std::size_t row_count(std::size_t row) const noexcept { return count_[row]; }
    [[nodiscard]] std::size_t row_capacity(std::size_t row) const noexcept {
        return capacity_[row];
    }
    /// The columns of row `row`'s live connections, ascending.
    [[nodiscard]] std::span<const std::uint32_t> row_columns(std::size_t row) const noexcept {
        return {column_.data() + begin_[row], count_[row]};
    }
    [[nodiscard]] std::uint32_t column(std::size_t slot) const noexcept { return column_[slot]; }

    /// The slot of connection (row, col), or npos if it is absent.
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    [[nodiscard]] std::size_t find(std::size_t row, std::size_t col) const noexcept {
        const auto cols = row_columns(row);
        const auto it = std::lower_bound(cols.begin(), cols.end(), col);
        if (it == cols.end() || *it != col) return npos;
        return begin_[row] + static_cast<std::size_t>(it - cols.begin());
    }
    [[nodiscard]] bool contains(std::size_t row, std::size_t col) const noexcept {
        return find(row, col) != npos;
    }

    /// The row of slot `slot` (a live or a free slot of that row).
    [[nodiscard]] std::size_t row_of(std::size_t slot) const noexcept {
        const auto it =
            std::upper_bound(begin_.begin(), begin_.end(), static_cast<std::uint32_t>(slot));
        return static_cast<std::size_t>(it - begin_.begin()) - 1;
    }

    /// The table as the sparse kernels read it.
    [[nodiscard]] kernels::sparse_rows by_rows() const noexcept {
        return {rows_, cols_, begin_.data(), count_.data(), column_.data()};
    }
    [[nodiscard]] kernels::sparse_columns by_columns() const noexcept {
        return {rows_, cols_, col_begin_.data(), col_row_.data(), col_slot_.data()};
    }

    /// Calls `f(row, col, slot)` for every live connection, row by row.
    template <class F>
    void for_each(F&& f) const {
        for (std::size_t r = 0; r < rows_; ++r) {
            for (std::size_t s = begin_[r]; s < begin_[r] + count_[r]; ++s)
                f(r, std::size_t(column_[s]), s);
        }
    }

    /// Removes the live connections in the slots `removed` and adds the connections `added`
    /// (absent after the removal, and distinct), keeping every row's columns ascending. Entries of
    /// `payload` (its values, gradient and optimiser state) move with their connections; an added
    /// connection starts with value added_values[j] and zero gradient and state; freed slots are
    /// zeroed. Throws argument_error, before changing anything, on a slot that is not live, a
    /// connection out of range, a duplicate, or one that is present and not removed.
    void rewire(std::span<const std::uint32_t> removed, std::span<const connection> added,
                parameter& payload, std::span<const float> added_values) {
        if (payload.size() != capacity()) {
            throw argument_error("connection_table::rewire: the payload has " +
                                 std::to_string(payload.size()) + " entries, expected " +
                                 std::to_string(capacity()));
        }
        if (added_values.size() != added.size()) {
            throw argument_error("connection_table::rewire: " + std::to_string(added.size()) +
                                 " connections to add but " + std::to_string(added_values.size()) +
                                 " initial values");
        }
        // Removed slots by row, each row's removals ascending (the pruning rules give them so).
        std::vector<std::uint32_t> gone(removed.begin(), removed.end());
        if (!std::is_sorted(gone.begin(), gone.end())) std::sort(gone.begin(), gone.end());
        // Slots ascend, so their rows are found in one walk down the rows (as row_of would).
        std::vector<std::uint32_t> gone_row(gone.size());
        for (std::size_t j = 0, row = 0; j < gone.size(); ++j) {
            const std::size_t slot = gone[j];
            while (row + 1 < rows_ && begin_[row + 1] <= slot) ++row;
            if (slot >= capacity() || (j > 0 && gone[j - 1] == gone[j]) ||
                slot >= begin_[row] + count_[row]) {
                throw argument_error("connection_table::rewire: slot " + std::to_string(slot) +
                                     " is not a live connection, or is removed twice");
            }
            gone_row[j] = static_cast<std::uint32_t>(row);
        }
        for (const connection& c : added) {
            if (c.row >= rows_ || c.col >= cols_) {
                throw argument_error("connection_table::rewire: connection (" +
                                     std::to_string(c.row) + ", " + std::to_string(c.col) +
                                     ") is outside a table of " + std::to_string(rows_) + " x " +
                                     std::to_string(cols_));
            }
        }
        std::vector<std::size_t> order(added.size());
        for (std::size_t j = 0; j < order.size(); ++j) order[j] = j;
        if (!std::is_sorted(added.begin(), added.end())) {
            std::sort(order.begin(), order.end(),
                      [&](std::size_t a, std::size_t b) { return added[a] < added[b]; });
        }

        // Each touched row's entries after the change, in column order, in one flat list. An
        // entry names where its values come from in the row's staging area: the row's old live
        // slots (0 .. count) followed by its additions in column order (count .. count + added).
        // Nothing in the table changes until every row has been merged and checked.
        //
        // Which side of the merge comes next, and whether a live slot is removed, change at
        // random from one entry to the next. Written with branches, this function cost
        // 0.86-0.89 ms for 7000 changes to a 784 x 300 layer at density 0.1 (bench_topology's
        // rewire), mispredicting them; the loops below select without branching and move
        // values by one gather from the staging area, 0.45-0.48 ms.
        struct entry {
            std::uint32_t col;
            std::uint32_t from;
        };
        struct touched_row {
            std::size_t row, first_entry, first_added;
        };
        std::vector<entry> merged;
        merged.reserve(live_ - gone.size() + added.size());
        std::vector<touched_row> touched;
        std::vector<std::size_t> row_added;  // indices into `added`, row by row, column order
        row_added.reserve(added.size());
        std::vector<std::uint32_t> kept_from, kept_col, added_col;
        constexpr std::uint32_t after_all = std::numeric_limits<std::uint32_t>::max();
        bool fits = true;
        for (std::size_t g = 0, a = 0; g < gone.size() || a < order.size();) {
            const std::size_t row =
                std::min(g < gone.size() ? std::size_t(gone_row[g]) : rows_,
                         a < order.size() ? std::size_t(added[order[a]].row) : rows_);
            // The row's live slots less the removed ones (which ascend, and are all live here).
            const std::size_t first_gone = g;
            while (g < gone.size() && gone_row[g] == row) ++g;
            const std::size_t begin = begin_[row], live_here = count_[row];
            kept_from.resize(live_here + 1);
            kept_col.resize(live_here + 1);
            std::size_t nk = 0;
            for (std::size_t s = 0, next_gone = first_gone; s < live_here; ++s) {
                const std::size_t is_gone = next_gone < g && gone[next_gone] == begin + s ? 1 : 0;
                kept_from[nk] = static_cast<std::uint32_t>(s);
                kept_col[nk] = column_[begin + s];
                nk += 1 - is_gone;
                next_gone += is_gone;
            }
            kept_from[nk] = 0;
            kept_col[nk] = after_all;
            // The row's additions, ascending (`order` sorts them), each only once.
            const std::size_t first_added = row_added.size();
            for (; a < order.size() && added[order[a]].row == row; ++a) {
                if (row_added.size() > first_added && added[row_added.back()] == added[order[a]]) {
                    throw argument_error("connection_table::rewire: connection (" +
                                         std::to_string(row) + ", " +
                                         std::to_string(added[order[a]].col) + ") is added twice");
                }
                row_added.push_back(order[a]);
            }
            const std::size_t na = row_added.size() - first_added;
            added_col.resize(na + 1);
            for (std::size_t j = 0; j < na; ++j)
                added_col[j] = added[row_added[first_added + j]].col;
            added_col[na] = after_all;
            // Merge the two by column (both end in a column past every real one); an addition
            // equal to a kept column is already live.
            touched.push_back({row, merged.size(), first_added});
            const std::size_t n = nk + na;
            fits = fits && n <= capacity_[row];
            bool clash = false;
            for (std::size_t e = 0, i = 0, j = 0; e < n; ++e) {
                const std::uint32_t kc = kept_col[i], ac = added_col[j];
                const std::uint32_t kept_from_here = kept_from[i];
                const auto added_from_here = static_cast<std::uint32_t>(live_here + j);
                clash |= kc == ac;
                const bool take_added = ac < kc;
                merged.push_back(
                    {take_added ? ac : kc, take_added ? added_from_here : kept_from_here});
                i += take_added ? 0 : 1;
                j += take_added ? 1 : 0;
            }
            if (clash) {
                const auto it = std::find_first_of(added_col.begin(), added_col.begin() + na,
                                                   kept_col.begin(), kept_col.begin() + nk);
                throw argument_error("connection_table::rewire: connection (" +
                                     std::to_string(row) + ", " + std::to_string(*it) +
                                     ") is already live");
            }
        }
        touched.push_back({rows_, merged.size(), row_added.size()});  // the end of the last

        std::vector<aligned_buffer<float>*> buffers;  // the values come first
        payload.for_each_buffer([&](aligned_buffer<float>& b) { buffers.push_back(&b); });
        // An added connection starts with its value and zero gradient and optimiser state.
        const std::vector<float> zeros(added.size(), 0.0f);
        const auto starts = [&](std::size_t b) {
            return b == 0 ? added_values.data() : zeros.data();
        };
        // Writes the entries of touched row t to `out` from the row's old live values in `data`
        // (`old_count` of them from `old_begin`) and its additions' starting values.
        std::vector<float> stage;
        const auto write_row = [&](std::size_t t, std::size_t old_begin, std::size_t old_count,
                                   const float* data, const float* start, float* out) {
            const std::size_t na = touched[t + 1].first_added - touched[t].first_added;
            stage.resize(old_count + na);
            std::copy(data + old_begin, data + old_begin + old_count, stage.begin());
            const std::size_t* indices = row_added.data() + touched[t].first_added;
            for (std::size_t j = 0; j < na; ++j) stage[old_count + j] = start[indices[j]];
            const entry* m = merged.data() + touched[t].first_entry;
            const std::size_t n = touched[t + 1].first_entry - touched[t].first_entry;
            for (std::size_t e = 0; e < n; ++e) out[e] = stage[m[e].from];
        };
        const auto entries_of = [&](std::size_t t) {
            return std::span<const entry>(merged.data() + touched[t].first_entry,
                                          touched[t + 1].first_entry - touched[t].first_entry);
        };
        if (fits) {
            // Rewrite the touched rows in place, one buffer at a time.
            for (std::size_t t = 0; t + 1 < touched.size(); ++t) {
                const std::size_t row = touched[t].row;
                const std::size_t base = begin_[row], slots = capacity_[row];
                const std::span<const entry> m = entries_of(t);
                const std::size_t n = m.size();
                for (std::size_t b = 0; b < buffers.size(); ++b) {
                    float* data = buffers[b]->data();
                    write_row(t, base, count_[row], data, starts(b), data + base);
                    std::fill(data + base + n, data + base + slots, 0.0f);
                }
                for (std::size_t e = 0; e < n; ++e) column_[base + e] = m[e].col;
                std::fill(column_.begin() + base + n, column_.begin() + base + slots, 0u);
                live_ = live_ - count_[row] + n;
                count_[row] = static_cast<std::uint32_t>(n);
            }
        } else {
            // Lay the whole table out again with fresh slack, moving every entry.
            const std::vector<std::uint32_t> old_begin = begin_, old_count = count_;
            const std::vector<std::uint32_t> old_column = column_;
            std::vector<std::uint32_t> new_counts(count_.begin(), count_.end());
            for (std::size_t t = 0; t + 1 < touched.size(); ++t)
                new_counts[touched[t].row] = static_cast<std::uint32_t>(entries_of(t).size());
            lay_out(new_counts);
            ++repacks_;
            for (std::size_t b = 0; b < buffers.size(); ++b) {
                aligned_buffer<float> moved(capacity());  // zeros, slack included
                const float* data = buffers[b]->data();
                for (std::size_t row = 0, t = 0; row < rows_; ++row) {
                    float* out = moved.data() + begin_[row];
                    if (touched[t].row == row) {
                        write_row(t++, old_begin[row], old_count[row], data, starts(b), out);
                    } else {
                        std::copy(data + old_begin[row], data + old_begin[row] + old_count[row],
                                  out);
                    }
                }
                buffers[b]->swap(moved);
            }
            for (std::size_t row = 0, t = 0; row < rows_; ++row) {
                std::uint32_t* out = column_.data() + begin_[row];
                if (touched[t].row == row) {
                    for (const entry& m : entries_of(t++)) *out++ = m.col;
                } else {
                    std::copy(old_column.begin() + old_begin[row],
                              old_column.begin() + old_begin[row] + old_count[row], out);
                }
            }
        }
        rebuild_columns();
    }

private:
    static constexpr std::size_t max_index = std::numeric_limits<std::uint32_t>::max();

    // Gives row r count[r] live slots followed by its slack; the columns are left to the caller.
    void lay_out(const std::vector<std::uint32_t>& counts) {
        begin_.assign(rows_, 0);
        count_.assign(counts.begin(), counts.end());
        capacity_.assign(rows_, 0);
        std::size_t next = 0;
        live_ = 0;
        for (std::size_t r = 0; r < rows_; ++r) {
            const std::size_t cap = std::min<std::size_t>(cols_, counts[r] + slack_for(counts[r]));
            begin_[r] = static_cast<std::uint32_t>(next);
            capacity_[r] = static_cast<std::uint32_t>(std::max<std::size_t>(cap, counts[r]));
            next += capacity_[r];
            live_ += counts[r];
        }
        if (next > max_index) {
            throw argument_error("connection_table: more than 2^32 - 1 slots");
        }
        column_.assign(next, 0);
    }

    // The transposed index, by a counting sort of the live slots on their column.
    void rebuild_columns() {
        col_begin_.assign(cols_ + 1, 0);
        for (std::size_t r = 0; r < rows_; ++r) {
            for (std::size_t s = begin_[r]; s < begin_[r] + count_[r]; ++s)
                ++col_begin_[column_[s] + 1];
        }
        for (std::size_t c = 0; c < cols_; ++c) col_begin_[c + 1] += col_begin_[c];
        col_row_.assign(live_, 0);
        col_slot_.assign(live_, 0);
        std::vector<std::uint32_t> fill(col_begin_.begin(), col_begin_.end() - 1);
        for (std::size_t r = 0; r < rows_; ++r) {
            for (std::size_t s = begin_[r]; s < begin_[r] + count_[r]; ++s) {
                const std::uint32_t e = fill[column_[s]]++;
                col_row_[e] = static_cast<std::uint32_t>(r);
                col_slot_[e] = static_cast<std::uint32_t>(s);
            }
        }
    }

    std::size_t rows_ = 0;
    std::size_t cols_ = 0;
    std::size_t live_ = 0;
    std::size_t repacks_ = 0;
    std::vector<std::uint32_t> begin_, count_, capacity_;
    std::vector<std::uint32_t> column_;
    std::vector<std::uint32_t> col_begin_, col_row_, col_slot_;
};

}  // namespace neuroplastic
