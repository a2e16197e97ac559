#include <neuroplastic/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;

TEST_CASE("equal seeds give equal sequences, different seeds different ones", "[random]") {
    npl::rng a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        const auto x = a.next();
        REQUIRE(x == b.next());
        differs = differs || x != c.next();
    }
    REQUIRE(differs);
}

TEST_CASE("the first outputs of xoshiro256** match an independent computation", "[random]") {
    // Seeded state taken through splitmix64 by hand, then one step of the xoshiro256** recurrence.
    std::uint64_t x = 7;
    std::uint64_t s[4];
    for (auto& w : s) {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        w = z ^ (z >> 31);
    }
    const auto rotl = [](std::uint64_t v, int k) { return (v << k) | (v >> (64 - k)); };
    npl::rng g(7);
    for (int i = 0; i < 5; ++i) {
        const std::uint64_t expected = rotl(s[1] * 5, 7) * 9;
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        REQUIRE(g.next() == expected);
    }
}

TEST_CASE("below() stays in range and covers it evenly", "[random]") {
    npl::rng g(1);
    std::vector<int> counts(7, 0);
    for (int i = 0; i < 70000; ++i) {
        const auto v = g.below(7);
        REQUIRE(v < 7);
        ++counts[v];
    }
    for (int c : counts) REQUIRE(std::abs(c - 10000) < 500);
    for (int i = 0; i < 1000; ++i) REQUIRE(g.below(1) == 0);
    // A bound above 2^63 exercises the high half of the 128-bit product.
    const std::uint64_t big = (std::uint64_t{1} << 63) + 12345;
    for (int i = 0; i < 1000; ++i) REQUIRE(g.below(big) < big);
}

TEST_CASE("uniform and normal have the right moments", "[random]") {
    npl::rng g(3);
    double sum = 0, sum_sq = 0, nsum = 0, nsum_sq = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        const float u = g.uniform();
        REQUIRE(u >= 0.0f);
        REQUIRE(u < 1.0f);
        sum += u;
        sum_sq += double(u) * u;
        const float z = g.normal();
        REQUIRE(std::isfinite(z));
        nsum += z;
        nsum_sq += double(z) * z;
    }
    REQUIRE(sum / n == Approx(0.5).margin(0.005));
    REQUIRE(sum_sq / n - (sum / n) * (sum / n) == Approx(1.0 / 12).margin(0.002));
    REQUIRE(nsum / n == Approx(0.0).margin(0.01));
    REQUIRE(nsum_sq / n == Approx(1.0).margin(0.02));
}

TEST_CASE("shuffle is a permutation and depends on the seed", "[random]") {
    std::vector<int> a(1000), b(1000);
    std::iota(a.begin(), a.end(), 0);
    std::iota(b.begin(), b.end(), 0);
    npl::rng g1(5), g2(6);
    g1.shuffle(std::span<int>(a));
    g2.shuffle(std::span<int>(b));
    REQUIRE(a != b);
    std::vector<int> sorted = a;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < 1000; ++i) REQUIRE(sorted[i] == i);
}

TEST_CASE("fork gives independent streams and leaves the parent alone", "[random]") {
    npl::rng g(9);
    const auto before = g.state();
    npl::rng f0 = g.fork(0), f1 = g.fork(1), f0_again = g.fork(0);
    REQUIRE(g.state() == before);
    REQUIRE(f0 == f0_again);
    REQUIRE(f0.next() != f1.next());
}

TEST_CASE("a restored state continues the same sequence", "[random]") {
    npl::rng g(11);
    for (int i = 0; i < 10; ++i) g.next();
    const auto saved = g.state();
    std::vector<std::uint64_t> first;
    for (int i = 0; i < 10; ++i) first.push_back(g.next());
    npl::rng h;
    h.set_state(saved);
    for (int i = 0; i < 10; ++i) REQUIRE(h.next() == first[i]);
}
