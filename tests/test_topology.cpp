#include <neuroplastic/data/synthetic.hpp>
#include <neuroplastic/neuroplastic.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <set>
#include <sstream>
#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;
namespace topo = neuroplastic::topology;

namespace {

using lenet_sparse = npl::network<npl::input<784>, npl::sparse<300>, npl::relu, npl::sparse<100>,
                                  npl::relu, npl::sparse<10>>;
using small_sparse = npl::network<npl::input<32>, npl::sparse<40>, npl::relu, npl::sparse<20>,
                                  npl::relu, npl::dense<4>>;

const std::vector<topo::layer_shape> lenet_shapes{{300, 784}, {100, 300}, {10, 100}};

const npl::dataset_split& data() {
    static const npl::dataset_split split = npl::make_synthetic(32, 4, 1200, 300, 5);
    return split;
}

template <class Layer>
std::set<std::pair<std::size_t, std::size_t>> topology_of(const Layer& l) {
    std::set<std::pair<std::size_t, std::size_t>> s;
    l.connections().for_each([&](std::size_t r, std::size_t c, std::size_t) { s.insert({r, c}); });
    return s;
}

}  // namespace

TEST_CASE("ERK shares a global density like RigL's reference implementation",
          "[topology][density]") {
    // The figures of the PyTorch reference runs: 0.0796 / 0.2302 / 1.0 at 0.1 (the output layer
    // capped and the scale solved again), 0.0154 / 0.0445 / 0.367 at 0.02.
    const auto d10 =
        topo::layer_densities(lenet_shapes, 0.1, topo::distribution::erdos_renyi_kernel);
    REQUIRE(d10[0] == Approx(0.0796).margin(5e-5));
    REQUIRE(d10[1] == Approx(0.2302).margin(5e-5));
    REQUIRE(d10[2] == 1.0);
    const auto d02 = topo::layer_densities(lenet_shapes, 0.02, topo::distribution::erdos_renyi);
    REQUIRE(d02[0] == Approx(0.0154).margin(5e-5));
    REQUIRE(d02[1] == Approx(0.0445).margin(5e-5));
    REQUIRE(d02[2] == Approx(0.367).margin(5e-4));
    const auto counts =
        topo::layer_counts(lenet_shapes, 0.1, topo::distribution::erdos_renyi_kernel);
    REQUIRE(counts[0] + counts[1] + counts[2] == 26620);  // round(0.1 * 266200), exactly
    REQUIRE(counts[2] == 1000);
}

TEST_CASE("uniform densities and dense layers in the budget", "[topology][density]") {
    const auto u = topo::layer_counts(lenet_shapes, 0.1, topo::distribution::uniform);
    REQUIRE(u == std::vector<std::size_t>{23520, 3000, 100});
    // A dense output layer keeps all its weights and the rest is solved around it.
    std::vector<topo::layer_shape> with_dense = lenet_shapes;
    with_dense[2].sparse = false;
    const auto d = topo::layer_densities(with_dense, 0.1, topo::distribution::erdos_renyi_kernel);
    REQUIRE(d[2] == 1.0);
    REQUIRE(d[0] == Approx(0.0796).margin(5e-5));
    REQUIRE_THROWS_WITH(topo::layer_densities(with_dense, 0.003, topo::distribution::erdos_renyi),
                        Catch::Contains("dense layers alone hold 1000"));
    REQUIRE_THROWS_AS(topo::layer_densities(lenet_shapes, 0.0, topo::distribution::uniform),
                      npl::argument_error);
    REQUIRE(topo::layer_densities(lenet_shapes, 1.0, topo::distribution::uniform) ==
            std::vector<double>{1.0, 1.0, 1.0});
}

TEST_CASE("pruning rules pick what they promise", "[topology][rules]") {
    npl::rng g(3);
    npl::sparse<10>::layer<12> l;
    l.connect_random(60, g);
    const auto& t = l.connections();
    const auto w = l.weights().value();
    // Smallest magnitude: nothing kept is smaller than anything pruned.
    const auto pruned = topo::prune_smallest(t, w, 15);
    REQUIRE(pruned.size() == 15);
    REQUIRE(std::set<std::uint32_t>(pruned.begin(), pruned.end()).size() == 15);
    float largest_pruned = 0.0f, smallest_kept = 1e9f;
    t.for_each([&](std::size_t, std::size_t, std::size_t s) {
        const bool is_pruned = std::binary_search(pruned.begin(), pruned.end(), std::uint32_t(s));
        if (is_pruned)
            largest_pruned = std::max(largest_pruned, std::abs(w[s]));
        else
            smallest_kept = std::min(smallest_kept, std::abs(w[s]));
    });
    REQUIRE(largest_pruned <= smallest_kept);

    // SET: floor(zeta * n) of each sign, the ones closest to zero, and every exact zero.
    std::size_t zero_row = 0;
    while (t.row_count(zero_row) == 0) ++zero_row;
    l.set_weight(zero_row, t.row_columns(zero_row)[0], 0.0f);
    std::size_t positives = 0, negatives = 0;
    t.for_each([&](std::size_t, std::size_t, std::size_t s) {
        positives += w[s] > 0.0f;
        negatives += w[s] < 0.0f;
    });
    const auto set_pruned = topo::prune_signed(t, w, 0.3);
    REQUIRE(set_pruned.size() ==
            std::size_t(0.3 * double(positives)) + std::size_t(0.3 * double(negatives)) + 1);
    std::size_t pruned_positive = 0;
    float largest_pruned_positive = 0.0f, smallest_kept_positive = 1e9f;
    t.for_each([&](std::size_t, std::size_t, std::size_t s) {
        const bool is_pruned =
            std::binary_search(set_pruned.begin(), set_pruned.end(), std::uint32_t(s));
        if (w[s] == 0.0f) REQUIRE(is_pruned);
        if (w[s] > 0.0f && is_pruned) {
            ++pruned_positive;
            largest_pruned_positive = std::max(largest_pruned_positive, w[s]);
        }
        if (w[s] > 0.0f && !is_pruned)
            smallest_kept_positive = std::min(smallest_kept_positive, w[s]);
    });
    REQUIRE(pruned_positive == std::size_t(0.3 * double(positives)));
    REQUIRE(largest_pruned_positive <= smallest_kept_positive);
}

TEST_CASE("the k smallest keys are chosen exactly, ties by index", "[topology][rules]") {
    // Keys that share their top 11 or 22 bits in large groups, so the selection has to go down
    // to the last digit, with many exact ties; k from nothing to everything.
    npl::rng g(29);
    std::vector<std::uint32_t> keys(5000);
    for (std::uint32_t& key : keys) {
        const std::uint32_t top = std::uint32_t(g.below(3)) << 21;
        const std::uint32_t middle = std::uint32_t(g.below(4)) << 10;
        key = top | middle | std::uint32_t(g.below(6)) | (g.below(2) == 0 ? 0x7f000000u : 0u);
    }
    std::vector<std::uint32_t> by_key(keys.size());
    for (std::uint32_t j = 0; j < by_key.size(); ++j) by_key[j] = j;
    std::stable_sort(by_key.begin(), by_key.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
    for (std::size_t k : {0, 1, 2, 17, 600, 2499, 2500, 2501, 4999, 5000, 6000}) {
        INFO("k=" << k);
        std::vector<std::uint32_t> expected(by_key.begin(),
                                            by_key.begin() + std::min(k, keys.size()));
        std::sort(expected.begin(), expected.end());
        REQUIRE(topo::detail::first_in_order(keys, k) == expected);
    }
    const std::vector<std::uint32_t> same(100, 0xffffffffu);  // every key the largest possible
    REQUIRE(topo::detail::first_in_order(same, 3) == std::vector<std::uint32_t>{0, 1, 2});
}

TEST_CASE("pruning rules choose exactly, ties by position", "[topology][rules]") {
    // Weights on a coarse grid of both signs, so that many magnitudes tie at the cut; one NaN,
    // which counts as zero.
    npl::rng g(13);
    npl::sparse<30>::layer<40> l;
    l.connect_random(500, g);
    const auto& t = l.connections();
    t.for_each([&](std::size_t r, std::size_t c, std::size_t) {
        l.set_weight(r, c, float(int(g.below(9)) - 4) * 0.25f);
    });
    const std::size_t nan_row = t.rows() - 1 - (t.row_count(t.rows() - 1) == 0 ? 1 : 0);
    l.set_weight(nan_row, t.row_columns(nan_row).back(), std::numeric_limits<float>::quiet_NaN());
    const auto w = l.weights().value();

    // Live slots in position order with a sort key, then the first k by a stable sort.
    const auto first_by = [&](auto&& key, auto&& eligible, std::size_t k) {
        std::vector<std::uint32_t> slots;
        t.for_each([&](std::size_t, std::size_t, std::size_t s) {
            if (eligible(w[s])) slots.push_back(std::uint32_t(s));
        });
        std::stable_sort(slots.begin(), slots.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return key(w[a]) < key(w[b]); });
        slots.resize(std::min(k, slots.size()));
        std::sort(slots.begin(), slots.end());
        return slots;
    };
    const auto magnitude = [](float x) { return std::isnan(x) ? 0.0f : std::abs(x); };
    const auto any = [](float) { return true; };
    for (std::size_t k : {0, 1, 37, 100, 250, 499, 500, 600}) {
        INFO("k=" << k);
        REQUIRE(topo::prune_smallest(t, w, k) == first_by(magnitude, any, k));
    }

    std::size_t positives = 0, negatives = 0;
    t.for_each([&](std::size_t, std::size_t, std::size_t s) {
        positives += w[s] > 0.0f;
        negatives += w[s] < 0.0f;
    });
    for (double zeta : {0.0, 0.1, 0.3, 1.0}) {
        INFO("zeta=" << zeta);
        std::vector<std::uint32_t> expected = first_by(
            magnitude, [](float x) { return !(x > 0.0f) && !(x < 0.0f); }, 500);
        for (const std::uint32_t s : first_by(
                 magnitude, [](float x) { return x > 0.0f; },
                 std::size_t(zeta * double(positives)))) {
            expected.push_back(s);
        }
        for (const std::uint32_t s : first_by(
                 magnitude, [](float x) { return x < 0.0f; },
                 std::size_t(zeta * double(negatives)))) {
            expected.push_back(s);
        }
        std::sort(expected.begin(), expected.end());
        REQUIRE(topo::prune_signed(t, w, zeta) == expected);
    }
}

TEST_CASE("growth rules pick absent connections, the gradient rule the largest",
          "[topology][rules]") {
    npl::rng g(4);
    npl::sparse<9>::layer<14> l;
    l.connect_random(50, g);
    const auto& t = l.connections();
    const auto pruned = topo::prune_smallest(t, l.weights().value(), 10);
    std::set<std::pair<std::size_t, std::size_t>> kept;
    t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
        if (!std::binary_search(pruned.begin(), pruned.end(), std::uint32_t(s)))
            kept.insert({r, c});
    });

    for (int round = 0; round < 20; ++round) {
        const auto grown = topo::grow_random(t, pruned, 10, g);
        REQUIRE(grown.size() == 10);
        std::set<npl::connection> distinct(grown.begin(), grown.end());
        REQUIRE(distinct.size() == 10);
        for (const auto& c : grown) {
            REQUIRE(c.row < 9);
            REQUIRE(c.col < 14);
            REQUIRE_FALSE(kept.count({c.row, c.col}));
        }
    }

    std::vector<float> scores(9 * 14);
    for (float& s : scores) s = g.normal();
    const auto best = topo::grow_largest(t, pruned, scores, 12);
    REQUIRE(best.size() == 12);
    std::vector<float> absent_scores;
    for (std::size_t r = 0; r < 9; ++r) {
        for (std::size_t c = 0; c < 14; ++c) {
            if (!kept.count({r, c})) absent_scores.push_back(std::abs(scores[r * 14 + c]));
        }
    }
    std::sort(absent_scores.rbegin(), absent_scores.rend());
    for (const auto& c : best) {
        REQUIRE_FALSE(kept.count({c.row, c.col}));
        REQUIRE(std::abs(scores[c.row * 14 + c.col]) >= absent_scores[11]);
    }
    // A restriction is honoured: only inputs below the neuron's own index (a graph's order).
    const auto ordered =
        topo::grow_random(t, pruned, 5, g, [](std::size_t r, std::size_t c) { return c < r; });
    for (const auto& c : ordered) REQUIRE(c.col < c.row);
}

namespace {

// The k absent positions (not live, or live and pruned) with the largest |score|, NaN counted as
// zero, ties by position, in position order: by brute force.
std::vector<npl::connection> best_absent_by_sorting(const npl::connection_table& t,
                                                    const std::vector<std::uint32_t>& pruned,
                                                    const std::vector<float>& scores,
                                                    std::size_t k) {
    std::vector<bool> kept(scores.size(), false);
    t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
        if (!std::binary_search(pruned.begin(), pruned.end(), std::uint32_t(s))) {
            kept[r * t.cols() + c] = true;
        }
    });
    const auto magnitude = [&](std::size_t p) {
        return std::isnan(scores[p]) ? 0.0f : std::abs(scores[p]);
    };
    std::vector<std::size_t> absent;
    for (std::size_t p = 0; p < scores.size(); ++p) {
        if (!kept[p]) absent.push_back(p);
    }
    std::stable_sort(absent.begin(), absent.end(),
                     [&](std::size_t a, std::size_t b) { return magnitude(a) > magnitude(b); });
    absent.resize(std::min(k, absent.size()));
    std::sort(absent.begin(), absent.end());
    std::vector<npl::connection> out;
    for (const std::size_t p : absent) {
        out.push_back({std::uint32_t(p / t.cols()), std::uint32_t(p % t.cols())});
    }
    return out;
}

}  // namespace

TEST_CASE("growth by largest score takes exactly the best absent connections", "[topology]") {
    // Scores drawn from a narrow range, so that many positions share the histogram bin holding
    // the last one chosen, and kept connections scored above everything else: a kept connection
    // mistaken for an absent one would be chosen first, and a threshold guessed from a sample of
    // the scores finds too few absent ones above it (the exact selection must take over).
    npl::rng g(21);
    npl::sparse<40>::layer<50> l;
    l.connect_random(600, g);
    const auto& t = l.connections();
    const auto pruned = topo::prune_smallest(t, l.weights().value(), 150);
    std::vector<float> scores(40 * 50);
    for (float& s : scores) s = g.uniform(0.9f, 1.1f) * (g.uniform() < 0.5f ? -1.0f : 1.0f);
    std::vector<bool> kept(40 * 50, false);
    t.for_each([&](std::size_t r, std::size_t c, std::size_t s) {
        if (!std::binary_search(pruned.begin(), pruned.end(), std::uint32_t(s))) {
            kept[r * 50 + c] = true;
            scores[r * 50 + c] = 1000.0f;
        }
    });
    // Five absent positions score as high as the kept ones: at k = 100 a threshold guessed from
    // a sample sits at their score and finds five, fewer than k.
    for (std::size_t p = 0, marked = 0; marked < 5; ++p) {
        if (kept[p]) continue;
        scores[p] = 1000.0f;
        ++marked;
    }
    for (std::size_t k : {1, 100, 149, 150, 700, 5000}) {
        INFO("k=" << k);
        const auto grown = topo::grow_largest(t, pruned, scores, k);
        REQUIRE(grown == best_absent_by_sorting(t, pruned, scores, k));
        // A restriction that allows everything takes the other route to the same result.
        REQUIRE(topo::grow_largest(t, pruned, scores, k,
                                   [](std::size_t, std::size_t) { return true; }) == grown);
    }
}

TEST_CASE("growth by largest score is exact on a wide layer with ties, NaNs and infinities",
          "[topology]") {
    // The shape of LeNet-300-100's first layer, whose 235 200 scores take the route of a
    // threshold guessed from a sample. Scores are rounded to a coarse grid so that many keys tie
    // at the cut; a few are NaN (counted as zero) or infinite.
    npl::rng g(5);
    npl::sparse<300>::layer<784> l;
    l.connect_random(23520, g);
    const auto& t = l.connections();
    const auto pruned = topo::prune_smallest(t, l.weights().value(), 7056);
    std::vector<float> scores(300 * 784);
    for (float& s : scores) s = std::round(g.normal() * 8.0f) / 8.0f * 1e-3f;
    for (std::size_t j = 0; j < 50; ++j) {
        scores[g.below(scores.size())] = std::numeric_limits<float>::quiet_NaN();
        scores[g.below(scores.size())] = -std::numeric_limits<float>::infinity();
    }
    for (std::size_t k : {1, 100, 1058, 7056, 20000}) {
        INFO("k=" << k);
        REQUIRE(topo::grow_largest(t, pruned, scores, k) ==
                best_absent_by_sorting(t, pruned, scores, k));
    }
    // Every score zero: a sample cannot place a threshold, and the first k absent positions win.
    std::fill(scores.begin(), scores.end(), 0.0f);
    REQUIRE(topo::grow_largest(t, pruned, scores, 500) ==
            best_absent_by_sorting(t, pruned, scores, 500));
}

TEST_CASE("growth from zero leaves the network's output unchanged", "[topology]") {
    npl::rng g(8);
    npl::sparse<20>::layer<30> l;
    l.connect_random(100, g);
    npl::batch<30> x(16);
    for (std::size_t i = 0; i < 30; ++i) {
        for (std::size_t j = 0; j < 16; ++j) x(i, j) = g.normal();
    }
    npl::batch<20> before(16), after(16);
    l.forward(x.view(), before.view(), {});

    // Grow 40 connections at zero: the output does not change, bit for bit.
    const auto grown = topo::grow_random(l.connections(), {}, 40, g);
    l.rewire({}, grown, std::vector<float>(grown.size(), 0.0f));
    REQUIRE(l.live_connections() == 140);
    l.forward(x.view(), after.view(), {});
    REQUIRE(std::memcmp(before.data(), after.data(), 20 * before.stride() * sizeof(float)) == 0);

    // Prune and grow from zero: the same as zeroing the pruned weights.
    const auto pruned = topo::prune_smallest(l.connections(), l.weights().value(), 30);
    npl::sparse<20>::layer<30> zeroed = l;
    for (const std::uint32_t s : pruned) zeroed.weights().value()[s] = 0.0f;
    zeroed.forward(x.view(), before.view(), {});
    const auto regrown = topo::grow_random(l.connections(), pruned, 30, g);
    l.rewire(pruned, regrown, std::vector<float>(regrown.size(), 0.0f));
    REQUIRE(l.live_connections() == 140);
    l.forward(x.view(), after.view(), {});
    REQUIRE(std::memcmp(before.data(), after.data(), 20 * before.stride() * sizeof(float)) == 0);
}

TEST_CASE("the update schedule and the cosine drop fraction follow RigL", "[topology]") {
    const topo::policy p = topo::rigl{.density = 0.1, .update_interval = 100, .end = 0.75};
    const std::size_t total = 1000;
    std::vector<std::size_t> updates;
    for (std::size_t s = 1; s <= total; ++s) {
        if (p.updates_after(s, total, 47)) updates.push_back(s);
    }
    REQUIRE(updates == std::vector<std::size_t>{100, 200, 300, 400, 500, 600, 700});
    REQUIRE(p.drop_fraction_at(0, total) == Approx(0.3));
    REQUIRE(p.drop_fraction_at(375, total) == Approx(0.15));
    REQUIRE(p.drop_fraction_at(100, total) ==
            Approx(0.15 * (1 + std::cos(std::numbers::pi * 100 / 750))));
    const topo::policy set = topo::set{};
    std::size_t set_updates = 0;
    for (std::size_t s = 1; s <= 500; ++s) set_updates += set.updates_after(s, 500, 50);
    REQUIRE(set_updates == 9);  // after every epoch of ten but the last
    REQUIRE(set.drop_fraction_at(123, 500) == Approx(0.3));
    const topo::policy fixed = topo::static_mask{};
    REQUIRE_FALSE(fixed.updates_after(100, 1000, 100));
}

TEST_CASE("RigL and SET keep the live count, the invariants and the seed's topology",
          "[topology][trainer]") {
    for (const topo::policy& p :
         {topo::policy(topo::rigl{.density = 0.2, .update_interval = 5, .seed = 3}),
          topo::policy(topo::set{.density = 0.2, .update_interval = 5, .seed = 3}),
          topo::policy(topo::sparse_momentum{
              .density = 0.2, .update_interval = 5, .window = 3, .seed = 3})}) {
        INFO("method " << p.method);
        const auto train_once = [&](small_sparse& net) {
            npl::trainer t(net, npl::softmax_cross_entropy<>{}, npl::sgd{.momentum = 0.9f},
                           npl::constant_schedule{.base_rate = 0.05f});
            t.use_topology(p);
            const std::size_t live0 = net.layer<0>().live_connections();
            const std::size_t live2 = net.layer<2>().live_connections();
            std::size_t updates = 0, changed = 0;
            t.on_topology([&](const topo::report& r) {
                if (r.event != topo::report::kind::update) return;
                ++updates;
                REQUIRE(r.pruned() == r.grown());
                changed += r.pruned();
                REQUIRE(net.layer<0>().live_connections() == live0);
                REQUIRE(net.layer<2>().live_connections() == live2);
                REQUIRE(r.layers.size() == 3);
                REQUIRE(r.layers[2].sparse == false);
                REQUIRE(r.layers[2].live == 80);
            });
            const auto history =
                t.fit(data().train, &data().test, {.epochs = 2, .batch_size = 50, .seed = 2});
            REQUIRE(updates > 0);
            REQUIRE(changed > 0);
            REQUIRE(history.epochs.back().test.accuracy > 0.4);
            // The ordinary steps formed no dense gradient that outlived its update.
            REQUIRE(net.layer<0>().dense_gradient().empty());
            return updates;
        };
        small_sparse a(1), b(1);
        train_once(a);
        train_once(b);
        REQUIRE(topology_of(a.layer<0>()) == topology_of(b.layer<0>()));
        REQUIRE(std::memcmp(a.layer<0>().weights().value().data(),
                            b.layer<0>().weights().value().data(),
                            a.layer<0>().weights().size() * sizeof(float)) == 0);
        // Every slot beyond a row's live connections holds nothing.
        const auto& t = a.layer<0>().connections();
        for (std::size_t r = 0; r < t.rows(); ++r) {
            for (std::size_t s = t.row_begin(r) + t.row_count(r);
                 s < t.row_begin(r) + t.row_capacity(r); ++s) {
                REQUIRE(a.layer<0>().weights().value()[s] == 0.0f);
                REQUIRE(a.layer<0>().weights().state(0)[s] == 0.0f);
            }
        }
    }
}

TEST_CASE("RigL grows where the update step's dense gradient is largest", "[topology]") {
    small_sparse net(1);
    topo::controller<small_sparse> control(
        net, topo::rigl{.density = 0.2, .update_interval = 1, .end = 1.0, .seed = 4});
    npl::rng g(5);
    npl::batch<32> x(20);
    for (std::size_t f = 0; f < 32; ++f) {
        for (std::size_t j = 0; j < 20; ++j) x(f, j) = g.uniform();
    }
    std::vector<std::uint32_t> labels(20);
    for (auto& l : labels) l = static_cast<std::uint32_t>(g.below(4));
    npl::softmax_cross_entropy<> loss;
    npl::batch<4> gradient(20);
    npl::pass_context ctx;
    ctx.dense_gradients = control.wants_dense_gradients(1, 10, 10);
    REQUIRE(ctx.dense_gradients);
    REQUIRE_FALSE(control.wants_dense_gradients(1, 1, 10));  // past the end: no update, no gradient
    loss.forward_backward(net.forward(x, ctx).view(), labels, gradient.view());
    net.backward(x, gradient.view(), ctx);

    // What RigL must do to the first layer, worked out by brute force before the update.
    auto& layer = net.layer<0>();
    const std::vector<float> scores(layer.dense_gradient().begin(), layer.dense_gradient().end());
    REQUIRE(scores.size() == 40 * 32);
    const std::size_t live = layer.live_connections();
    const double fraction = topo::policy(topo::rigl{.end = 1.0}).drop_fraction_at(1, 10);
    const auto k = static_cast<std::size_t>(fraction * double(live));
    std::vector<std::pair<float, std::pair<std::size_t, std::size_t>>> by_weight;
    layer.connections().for_each([&](std::size_t r, std::size_t c, std::size_t s) {
        by_weight.push_back({std::abs(layer.weights().value()[s]), {r, c}});
    });
    std::sort(by_weight.begin(), by_weight.end());
    std::set<std::pair<std::size_t, std::size_t>> kept;
    for (std::size_t j = k; j < by_weight.size(); ++j) kept.insert(by_weight[j].second);
    std::vector<std::pair<float, std::pair<std::size_t, std::size_t>>> by_score;
    for (std::size_t r = 0; r < 40; ++r) {
        for (std::size_t c = 0; c < 32; ++c) {
            if (!kept.count({r, c})) by_score.push_back({-std::abs(scores[r * 32 + c]), {r, c}});
        }
    }
    std::sort(by_score.begin(), by_score.end());
    std::set<std::pair<std::size_t, std::size_t>> expected = kept;
    for (std::size_t j = 0; j < k; ++j) expected.insert(by_score[j].second);

    const auto r = control.after_step(1, 10, 10, 1);
    REQUIRE(r.has_value());
    REQUIRE(r->layers[0].pruned == k);
    REQUIRE(r->layers[0].grown == k);
    REQUIRE(k > 10);
    REQUIRE(topology_of(layer) == expected);
    REQUIRE(layer.dense_gradient().empty());  // freed once used
}

TEST_CASE("the topology log writes CSV and JSON lines", "[topology][log]") {
    const auto dir = std::filesystem::temp_directory_path() / "neuroplastic_topology_log";
    std::filesystem::create_directories(dir);
    small_sparse net(1);
    npl::trainer t(net, npl::softmax_cross_entropy<>{}, npl::sgd{},
                   npl::constant_schedule{.base_rate = 0.01f});
    t.use_topology(topo::rigl{.density = 0.3, .update_interval = 10, .end = 1.0});
    topo::log_file csv(dir / "log.csv"), json(dir / "log.jsonl");
    t.on_topology([&](const topo::report& r) {
        csv.write(r);
        json.write(r);
    });
    t.fit(data().train, nullptr, {.epochs = 1, .batch_size = 50});
    std::ifstream c(dir / "log.csv"), j(dir / "log.jsonl");
    std::string line;
    std::getline(c, line);
    REQUIRE(line.rfind("event,epoch,step,drop_fraction,layer,", 0) == 0);
    std::size_t rows = 0;
    while (std::getline(c, line)) {
        ++rows;
        REQUIRE(std::count(line.begin(), line.end(), ',') == 13);
    }
    REQUIRE(rows == 3 * (2 + 1));  // 3 weight layers x (updates at steps 10 and 20, and the epoch)
    std::size_t objects = 0;
    while (std::getline(j, line)) {
        ++objects;
        REQUIRE(line.front() == '{');
        REQUIRE(line.back() == '}');
        REQUIRE(line.find("\"layers\": [{\"layer\": 0") != std::string::npos);
    }
    REQUIRE(objects == 3);
    REQUIRE_THROWS_AS(topo::log_file(dir / "missing" / "log.csv"), npl::io_error);
    std::filesystem::remove_all(dir);
}
