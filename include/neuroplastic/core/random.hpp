// The library's random number generator: xoshiro256** (Blackman and Vigna, "Scrambled linear
// pseudorandom number generators", 2021) seeded through splitmix64. It is written out here, with
// its own distributions, rather than taken from <random>: the standard distributions differ
// between standard libraries, and a checkpoint must be able to store and restore the state.
#pragma once

#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <utility>

namespace neuroplastic {

/// A seeded generator of 64-bit values with the distributions training needs. Equal seeds give
/// equal sequences on every platform for the integer and uniform draws; `normal` goes through
/// `std::log` and `std::cos` and so matches bit for bit only on the same platform.
class rng {
public:
    using state_type = std::array<std::uint64_t, 4>;

    explicit rng(std::uint64_t seed = 0) noexcept { reseed(seed); }

    void reseed(std::uint64_t seed) noexcept {
        for (auto& word : state_) word = splitmix64(seed);
    }

    /// A generator for an independent stream, derived from this generator's current state and
    /// `stream`; this generator does not advance.
    [[nodiscard]] rng fork(std::uint64_t stream) const noexcept {
        std::uint64_t mix = state_[0] ^ std::rotl(state_[1], 17) ^ std::rotl(state_[2], 31) ^
                            std::rotl(state_[3], 47) ^ (stream * 0xd1342543de82ef95ULL);
        return rng(splitmix64(mix));
    }

    std::uint64_t next() noexcept {
        const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = std::rotl(state_[3], 45);
        return result;
    }

    /// Uniform in [0, 1), with 24 random bits (every float of that form is equally likely).
    float uniform() noexcept { return static_cast<float>(next() >> 40) * 0x1.0p-24f; }

    /// Uniform in [low, high).
    float uniform(float low, float high) noexcept { return low + (high - low) * uniform(); }

    /// Uniform over the integers 0 .. bound-1, without bias (Lemire, "Fast random integer
    /// generation in an interval", 2019). `bound` must be positive.
    std::uint64_t below(std::uint64_t bound) noexcept {
        std::uint64_t high = 0;
        std::uint64_t low = multiply(next(), bound, high);
        if (low < bound) {
            const std::uint64_t threshold = (0 - bound) % bound;
            while (low < threshold) low = multiply(next(), bound, high);
        }
        return high;
    }

    /// A standard normal value (Box-Muller; one of the pair is used, so no state is cached).
    float normal() noexcept {
        // 1 - uniform() lies in (0, 1], so the logarithm is finite.
        const double u1 = 1.0 - static_cast<double>(next() >> 11) * 0x1.0p-53;
        const double u2 = static_cast<double>(next() >> 11) * 0x1.0p-53;
        return static_cast<float>(std::sqrt(-2.0 * std::log(u1)) *
                                  std::cos(2.0 * std::numbers::pi * u2));
    }

    float normal(float mean, float stddev) noexcept { return mean + stddev * normal(); }

    /// Puts `values` in a uniformly random order (Fisher-Yates).
    template <class T>
    void shuffle(std::span<T> values) noexcept {
        for (std::size_t i = values.size(); i > 1; --i) {
            const auto j = static_cast<std::size_t>(below(i));
            std::swap(values[i - 1], values[j]);
        }
    }

    [[nodiscard]] const state_type& state() const noexcept { return state_; }
    void set_state(const state_type& state) noexcept { state_ = state; }

    friend bool operator==(const rng&, const rng&) = default;

private:
    // The 128-bit product a * b: returns the low half and stores the high half.
    static std::uint64_t multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& high) noexcept {
        const std::uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32;
        const std::uint64_t b_lo = b & 0xffffffffULL, b_hi = b >> 32;
        const std::uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo;
        const std::uint64_t lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
        const std::uint64_t middle = (lo_lo >> 32) + (hi_lo & 0xffffffffULL) + lo_hi;
        high = hi_hi + (hi_lo >> 32) + (middle >> 32);
        return (middle << 32) | (lo_lo & 0xffffffffULL);
    }

    static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    state_type state_{};
};

}  // namespace neuroplastic
