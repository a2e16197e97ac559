// Tests of the synthetic data set: its shape, range and balance, its determinism, and that it
// is learnable but not trivially so, measured with two classifiers cheap enough for a test.
#include <neuroplastic/data/synthetic.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "catch.hpp"
#include "error_message.hpp"

using neuroplastic::argument_error;
using neuroplastic::dataset;
using neuroplastic::make_synthetic;
using neuroplastic::test::contains;
using neuroplastic::test::error_message;

namespace {

template <class A, class B>
double squared_distance(const A& a, const B& b) {
    double sum = 0;
    for (std::size_t f = 0; f < a.size(); ++f) {
        const double d = static_cast<double>(a[f]) - static_cast<double>(b[f]);
        sum += d * d;
    }
    return sum;
}

// A linear classifier: each test sample takes the class of the nearest class mean.
double nearest_mean_accuracy(const dataset& train, const dataset& test) {
    const std::size_t features = train.features();
    std::vector<std::vector<float>> means(train.classes(), std::vector<float>(features));
    std::vector<std::size_t> counts(train.classes());
    for (std::size_t i = 0; i < train.size(); ++i) {
        const auto x = train.sample(i);
        auto& mean = means[train.label(i)];
        for (std::size_t f = 0; f < features; ++f) mean[f] += x[f];
        ++counts[train.label(i)];
    }
    for (std::size_t c = 0; c < means.size(); ++c) {
        for (float& m : means[c]) m /= static_cast<float>(counts[c]);
    }

    std::size_t right = 0;
    for (std::size_t i = 0; i < test.size(); ++i) {
        std::size_t best = 0;
        double best_distance = std::numeric_limits<double>::max();
        for (std::size_t c = 0; c < means.size(); ++c) {
            const double d = squared_distance(test.sample(i), means[c]);
            if (d < best_distance) {
                best_distance = d;
                best = c;
            }
        }
        right += best == test.label(i) ? 1 : 0;
    }
    return static_cast<double>(right) / static_cast<double>(test.size());
}

// A non-linear classifier: each test sample takes the label of its nearest training sample.
double nearest_neighbour_accuracy(const dataset& train, const dataset& test) {
    std::size_t right = 0;
    for (std::size_t i = 0; i < test.size(); ++i) {
        std::size_t best = 0;
        double best_distance = std::numeric_limits<double>::max();
        for (std::size_t j = 0; j < train.size(); ++j) {
            const double d = squared_distance(test.sample(i), train.sample(j));
            if (d < best_distance) {
                best_distance = d;
                best = j;
            }
        }
        right += train.label(best) == test.label(i) ? 1 : 0;
    }
    return static_cast<double>(right) / static_cast<double>(test.size());
}

bool same_samples(const dataset& a, const dataset& b) {
    if (a.size() != b.size() || a.features() != b.features()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a.label(i) != b.label(i)) return false;
        const auto x = a.sample(i);
        const auto y = b.sample(i);
        if (!std::equal(x.begin(), x.end(), y.begin())) return false;
    }
    return true;
}

}  // namespace

TEST_CASE("make_synthetic has the requested shape, values in [0, 1] and balanced classes",
          "[synthetic]") {
    const auto [train, test] = make_synthetic(20, 4, 103, 17, 5);
    CHECK(train.name() == "synthetic train");
    CHECK(test.name() == "synthetic test");
    REQUIRE(train.size() == 103);
    REQUIRE(test.size() == 17);
    CHECK(train.features() == 20);
    CHECK(train.classes() == 4);
    CHECK(test.classes() == 4);

    std::vector<std::size_t> counts(4);
    for (std::size_t i = 0; i < train.size(); ++i) {
        REQUIRE(train.label(i) < 4);
        ++counts[train.label(i)];
        const auto x = train.sample(i);
        CHECK(std::all_of(x.begin(), x.end(), [](float v) { return v >= 0.0f && v <= 1.0f; }));
    }
    CHECK(counts == std::vector<std::size_t>{26, 26, 26, 25});

    // Not a constant: the values spread over the range.
    const auto x = train.sample(0);
    const auto [low, high] = std::minmax_element(x.begin(), x.end());
    CHECK(*high - *low > 0.2f);
}

TEST_CASE("make_synthetic is deterministic, and its parts are independent", "[synthetic]") {
    const auto a = make_synthetic(30, 3, 50, 20, 7);
    const auto b = make_synthetic(30, 3, 50, 20, 7);
    CHECK(same_samples(a.train, b.train));
    CHECK(same_samples(a.test, b.test));

    const auto other_seed = make_synthetic(30, 3, 50, 20, 8);
    CHECK_FALSE(same_samples(a.train, other_seed.train));

    // The test set does not depend on the size of the training set, nor the other way round.
    const auto more_train = make_synthetic(30, 3, 80, 20, 7);
    CHECK(same_samples(a.test, more_train.test));
    CHECK(same_samples(a.train, more_train.train.head(50)));
    const auto more_test = make_synthetic(30, 3, 50, 40, 7);
    CHECK(same_samples(a.train, more_test.train));
    CHECK(same_samples(a.test, more_test.test.head(20)));
}

TEST_CASE("make_synthetic is learnable, and needs more than a linear classifier", "[synthetic]") {
    // The default problem, with fewer samples so that the nearest-neighbour search stays quick.
    const auto [train, test] = make_synthetic(784, 10, 1500, 200);
    const double linear = nearest_mean_accuracy(train, test);
    const double neighbour = nearest_neighbour_accuracy(train, test);
    INFO("nearest class mean " << linear << ", nearest neighbour " << neighbour);
    // Chance is 0.1.
    CHECK(linear > 0.25);
    CHECK(linear < 0.75);
    CHECK(neighbour > 0.7);
    CHECK(neighbour > linear + 0.15);
    CHECK(neighbour < 1.0);
}

TEST_CASE("make_synthetic rejects problems it cannot make", "[synthetic]") {
    const auto no_features =
        error_message<argument_error>([] { (void)make_synthetic(0, 10, 10, 10); });
    CHECK(contains(no_features, "expected at least 1 feature, found 0"));
    const auto one_class = error_message<argument_error>([] { (void)make_synthetic(4, 1); });
    CHECK(contains(one_class, "expected at least 2 classes, found 1"));
    const auto huge = error_message<argument_error>(
        [] { (void)make_synthetic(1 << 20, 2, std::numeric_limits<std::size_t>::max() / 8, 0); });
    CHECK(contains(huge, "fits in memory"));
}
