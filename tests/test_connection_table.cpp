#include <neuroplastic/core/parameter.hpp>
#include <neuroplastic/core/random.hpp>
#include <neuroplastic/topology/connection_table.hpp>

#include <array>
#include <map>
#include <set>
#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;

namespace {

// Every structural promise of a table: rows ascend and hold no duplicates, indices are in range,
// slots do not overlap, and the transposed index lists exactly the live connections.
void check_invariants(const npl::connection_table& t) {
    std::size_t live = 0, previous_end = 0;
    std::set<std::pair<std::size_t, std::size_t>> seen;
    for (std::size_t r = 0; r < t.rows(); ++r) {
        REQUIRE(t.row_begin(r) >= previous_end);
        REQUIRE(t.row_count(r) <= t.row_capacity(r));
        previous_end = t.row_begin(r) + t.row_capacity(r);
        const auto cols = t.row_columns(r);
        for (std::size_t j = 0; j < cols.size(); ++j) {
            REQUIRE(cols[j] < t.cols());
            if (j > 0) REQUIRE(cols[j - 1] < cols[j]);
            seen.insert({r, cols[j]});
        }
        live += cols.size();
    }
    REQUIRE(previous_end <= t.capacity());
    REQUIRE(live == t.live());
    const auto by_col = t.by_columns();
    std::set<std::pair<std::size_t, std::size_t>> transposed;
    for (std::size_t c = 0; c < t.cols(); ++c) {
        for (std::size_t e = by_col.col_begin[c]; e < by_col.col_begin[c + 1]; ++e) {
            const std::size_t r = by_col.row[e];
            REQUIRE(t.column(by_col.slot[e]) == c);
            REQUIRE(t.row_of(by_col.slot[e]) == r);
            if (e > by_col.col_begin[c]) REQUIRE(by_col.row[e - 1] < r);
            transposed.insert({r, c});
        }
    }
    REQUIRE(transposed == seen);
}

// The weights of a table's payload as a map from (row, col), and its free slots checked zero.
std::map<std::pair<std::size_t, std::size_t>, float> contents(const npl::connection_table& t,
                                                              npl::parameter& p) {
    std::map<std::pair<std::size_t, std::size_t>, float> m;
    std::vector<bool> used(t.capacity(), false);
    t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
        m[{r, c}] = p.value()[s];
        used[s] = true;
    });
    for (std::size_t s = 0; s < t.capacity(); ++s) {
        if (!used[s]) {
            REQUIRE(p.value()[s] == 0.0f);
            REQUIRE(p.gradient()[s] == 0.0f);
            if (p.has_state(0)) REQUIRE(p.state(0)[s] == 0.0f);
        }
    }
    return m;
}

}  // namespace

TEST_CASE("a connection table holds what it is given, sorted, with slack", "[topology][table]") {
    npl::connection_table t(3, 5);
    const std::vector<std::uint64_t> positions{1, 3, 4, 10, 14};  // (0,1) (0,3) (0,4) (2,0) (2,4)
    t.assign(positions);
    REQUIRE(t.live() == 5);
    REQUIRE(t.row_count(0) == 3);
    REQUIRE(t.row_count(1) == 0);
    REQUIRE(t.row_count(2) == 2);
    REQUIRE(t.capacity() > t.live());
    REQUIRE(t.contains(0, 3));
    REQUIRE_FALSE(t.contains(0, 2));
    REQUIRE(t.find(2, 4) == t.row_begin(2) + 1);
    REQUIRE(t.density() == Approx(5.0 / 15));
    check_invariants(t);
    const std::vector<std::uint64_t> unsorted{4, 1};
    REQUIRE_THROWS_AS(t.assign(unsorted), npl::argument_error);
    const std::vector<std::uint64_t> outside{15};
    REQUIRE_THROWS_AS(t.assign(outside), npl::argument_error);
}

TEST_CASE("rewiring moves values and optimiser state with their connections", "[topology][table]") {
    npl::connection_table t(2, 8);
    const std::vector<std::uint64_t> positions{0, 2, 5, 9, 15};
    t.assign(positions);
    npl::parameter p("w", t.capacity(), true);
    (void)p.state(0);  // an optimiser with one state buffer
    t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
        p.value()[s] = float(10 * r + c);
        p.state(0)[s] = float(100 + 10 * r + c);
    });
    // Remove (0, 2) and (1, 15); add (0, 1), (0, 7) and (1, 12).
    const std::vector<std::uint32_t> removed{static_cast<std::uint32_t>(t.find(0, 2)),
                                             static_cast<std::uint32_t>(t.find(1, 15 - 8))};
    const std::vector<npl::connection> added{{0, 7}, {1, 4}, {0, 1}};
    const std::vector<float> values{-1.0f, -2.0f, -3.0f};
    const std::size_t capacity = t.capacity();
    t.rewire(removed, added, p, values);
    check_invariants(t);
    REQUIRE(t.capacity() == capacity);  // fitted in the rows' slack
    REQUIRE(t.repacks() == 0);
    const auto m = contents(t, p);
    const std::map<std::pair<std::size_t, std::size_t>, float> expected{
        {{0, 0}, 0.0f},  {{0, 1}, -3.0f}, {{0, 5}, 5.0f},
        {{0, 7}, -1.0f}, {{1, 1}, 11.0f}, {{1, 4}, -2.0f}};
    REQUIRE(m == expected);
    REQUIRE(p.state(0)[t.find(0, 5)] == 105.0f);
    REQUIRE(p.state(0)[t.find(1, 1)] == 111.0f);
    REQUIRE(p.state(0)[t.find(0, 7)] == 0.0f);  // a new connection's state starts at zero
}

TEST_CASE("a row that outgrows its slack makes the table lay itself out again",
          "[topology][table]") {
    npl::connection_table t(3, 40);
    const std::vector<std::uint64_t> positions{0, 40, 80};
    t.assign(positions);
    npl::parameter p("w", t.capacity(), true);
    t.for_each([&](std::size_t r, std::size_t, std::size_t s) { p.value()[s] = float(r + 1); });
    std::vector<npl::connection> added;
    std::vector<float> values;
    for (std::uint32_t c = 1; c < 30; ++c) {
        added.push_back({1, c});
        values.push_back(float(c) / 100);
    }
    t.rewire({}, added, p, values);
    REQUIRE(t.repacks() == 1);
    REQUIRE(p.size() == t.capacity());
    check_invariants(t);
    const auto m = contents(t, p);
    REQUIRE(m.size() == 32);
    REQUIRE(m.at({0, 0}) == 1.0f);
    REQUIRE(m.at({1, 0}) == 2.0f);
    REQUIRE(m.at({2, 0}) == 3.0f);
    REQUIRE(m.at({1, 29}) == Approx(0.29f));
}

TEST_CASE("a bad rewiring is refused and changes nothing", "[topology][table]") {
    npl::connection_table t(2, 4);
    const std::vector<std::uint64_t> positions{0, 1, 5};
    t.assign(positions);
    npl::parameter p("w", t.capacity(), true);
    t.for_each(
        [&](std::size_t r, std::size_t c, std::size_t s) { p.value()[s] = float(r * 4 + c + 1); });
    const auto before = contents(t, p);
    const std::vector<float> one{0.0f};
    const std::vector<npl::connection> present{{0, 1}};
    REQUIRE_THROWS_WITH(t.rewire({}, present, p, one), Catch::Contains("already live"));
    const std::vector<npl::connection> outside{{2, 0}};
    REQUIRE_THROWS_WITH(t.rewire({}, outside, p, one), Catch::Contains("outside"));
    const std::vector<npl::connection> twice{{0, 3}, {0, 3}};
    const std::vector<float> two{0.0f, 0.0f};
    REQUIRE_THROWS_WITH(t.rewire({}, twice, p, two), Catch::Contains("twice"));
    const std::vector<std::uint32_t> free_slot{static_cast<std::uint32_t>(t.row_begin(0) + 2)};
    REQUIRE_THROWS_WITH(t.rewire(free_slot, {}, p, {}), Catch::Contains("not a live"));
    REQUIRE_THROWS_AS(t.rewire({}, present, p, {}), npl::argument_error);  // values missing
    check_invariants(t);
    REQUIRE(contents(t, p) == before);
    // Removing a connection and adding it back in one rewiring is allowed.
    const std::vector<std::uint32_t> slot_of_01{static_cast<std::uint32_t>(t.find(0, 1))};
    const std::vector<float> back{7.0f};
    t.rewire(slot_of_01, present, p, back);
    REQUIRE(contents(t, p).at({0, 1}) == 7.0f);
}

TEST_CASE("random rewirings agree with a simple model", "[topology][table]") {
    // Every live connection carries a value, a gradient and one optimiser state; the model
    // keeps the three by (row, col), an added connection starting at (its value, 0, 0).
    using triple = std::array<float, 3>;
    npl::rng g(17);
    npl::connection_table t(13, 21);
    std::vector<std::uint64_t> positions;
    for (std::uint64_t p = 0; p < 13 * 21; ++p) {
        if (g.uniform() < 0.2f) positions.push_back(p);
    }
    t.assign(positions);
    npl::parameter w("w", t.capacity(), true);
    (void)w.state(0);
    std::map<std::pair<std::size_t, std::size_t>, triple> model;
    t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
        w.value()[s] = g.normal();
        w.gradient()[s] = g.normal();
        w.state(0)[s] = g.normal();
        model[{r, c}] = {w.value()[s], w.gradient()[s], w.state(0)[s]};
    });
    const auto held = [&] {
        std::map<std::pair<std::size_t, std::size_t>, triple> m;
        (void)contents(t, w);  // checks that free slots hold zeros
        t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
            m[{r, c}] = {w.value()[s], w.gradient()[s], w.state(0)[s]};
        });
        return m;
    };
    std::size_t in_place = 0;
    for (int round = 0; round < 200; ++round) {
        std::vector<std::uint32_t> removed;
        std::set<std::pair<std::size_t, std::size_t>> gone;
        t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
            if (g.uniform() < 0.15f) {
                removed.push_back(static_cast<std::uint32_t>(s));
                gone.insert({r, c});
            }
        });
        std::vector<npl::connection> added;
        std::vector<float> values;
        std::set<std::pair<std::size_t, std::size_t>> taken;
        const std::size_t grow = removed.size() + g.below(3);  // the count drifts a little
        for (int tries = 0; added.size() < grow && tries < 10000; ++tries) {
            const std::size_t r = g.below(13), c = g.below(21);
            const bool free = !model.count({r, c}) || gone.count({r, c});
            if (free && taken.insert({r, c}).second) {
                added.push_back({std::uint32_t(r), std::uint32_t(c)});
                values.push_back(g.normal());
            }
        }
        for (const auto& rc : gone) model.erase(rc);
        for (std::size_t j = 0; j < added.size(); ++j)
            model[{added[j].row, added[j].col}] = {values[j], 0.0f, 0.0f};
        const std::size_t repacks = t.repacks();
        t.rewire(removed, added, w, values);
        in_place += t.repacks() == repacks ? 1 : 0;
        check_invariants(t);
        REQUIRE(held() == model);
    }
    // Both ways of rewriting were taken: in place, and laying the table out again.
    REQUIRE(in_place > 0);
    REQUIRE(t.repacks() > 0);
}
