// A synthetic classification data set, built in so that examples and tests run where no data
// set is installed. It is made to be learnable but not trivially so:
//
//  - Each class is a union of a few clusters in a small latent space: clusters of other classes
//    lie between them, so no straight boundary separates one class from the rest and a
//    multilayer perceptron does better than a linear classifier.
//  - A sample is its cluster's centre plus Gaussian noise in that latent space. The noise makes
//    neighbouring clusters overlap, so no classifier is always right.
//  - A fixed random linear map lifts the latent point to `features` values around a random
//    background level per feature; a little uniform noise per feature and clamping to [0, 1]
//    make the values look like pixel intensities.
//
// With the defaults (784 features, 10 classes, chance 10 %), a multilayer perceptron with one
// hidden layer of 64 neurons reaches 85 to 90 % on the test set after a few epochs of SGD, a
// linear classifier about 50 %. With fewer than 8 features the latent space shrinks with them
// and the classes overlap more.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../core/error.hpp"
#include "../core/random.hpp"
#include "dataset.hpp"

namespace neuroplastic {

namespace detail {

// The shape of the synthetic problem; the values were tuned so that the defaults are neither
// solved at once nor hopeless for a small MLP.
inline constexpr std::size_t synthetic_latent_dims = 8;
inline constexpr std::size_t synthetic_clusters_per_class = 3;
inline constexpr float synthetic_latent_noise = 0.3f;
inline constexpr float synthetic_gain = 0.3f;
inline constexpr float synthetic_feature_noise = 0.1f;

/// The fixed structure of a synthetic problem: cluster centres, the lifting map and the
/// background, drawn once from the seed and shared by the training and test sets.
class synthetic_problem {
public:
    synthetic_problem(std::size_t features, std::size_t classes, rng& random)
        : features_(features),
          classes_(classes),
          latent_(std::min(features, synthetic_latent_dims)),
          centres_(classes * synthetic_clusters_per_class * latent_),
          lift_(features * latent_),
          background_(features) {
        for (float& c : centres_) c = random.uniform(-1.0f, 1.0f);
        // Scaled so that a lifted value's spread does not depend on the latent size.
        const float lift_scale = synthetic_gain / std::sqrt(static_cast<float>(latent_));
        for (float& w : lift_) w = lift_scale * random.normal();
        for (float& b : background_) b = random.uniform(0.25f, 0.75f);
    }

    /// `count` samples, labels cycling through the classes, drawn from `random`.
    [[nodiscard]] dataset draw(std::string name, std::size_t count, rng& random) const {
        dataset result(std::move(name), features_, classes_);
        result.reserve(count);
        std::vector<float> point(latent_);
        std::vector<float> sample(features_);
        for (std::size_t i = 0; i < count; ++i) {
            const auto label = static_cast<std::uint32_t>(i % classes_);
            const std::size_t cluster =
                label * synthetic_clusters_per_class +
                static_cast<std::size_t>(random.below(synthetic_clusters_per_class));
            for (std::size_t d = 0; d < latent_; ++d) {
                point[d] =
                    centres_[cluster * latent_ + d] + synthetic_latent_noise * random.normal();
            }
            for (std::size_t f = 0; f < features_; ++f) {
                float value = background_[f];
                const float* weights = lift_.data() + f * latent_;
                for (std::size_t d = 0; d < latent_; ++d) value += weights[d] * point[d];
                value += random.uniform(-synthetic_feature_noise, synthetic_feature_noise);
                sample[f] = std::clamp(value, 0.0f, 1.0f);
            }
            result.add(sample, label);
        }
        return result;
    }

private:
    std::size_t features_;
    std::size_t classes_;
    std::size_t latent_;
    std::vector<float> centres_;     // classes x clusters x latent
    std::vector<float> lift_;        // features x latent
    std::vector<float> background_;  // features
};

}  // namespace detail

/// A deterministic synthetic classification problem (described at the top of this header):
/// `train` and `test` samples of `features` values in [0, 1], with labels cycling through
/// `classes` classes. Equal arguments give equal data sets on the same platform; the test set
/// does not depend on `train`, nor the training set on `test`.
[[nodiscard]] inline dataset_split make_synthetic(std::size_t features = 784,
                                                  std::size_t classes = 10,
                                                  std::size_t train = 6000, std::size_t test = 1000,
                                                  std::uint64_t seed = 1) {
    if (features == 0) {
        throw argument_error("make_synthetic: expected at least 1 feature, found 0");
    }
    if (classes < 2) {
        throw argument_error("make_synthetic: expected at least 2 classes, found " +
                             std::to_string(classes));
    }
    const std::size_t most = std::max(train, test);
    if (most > std::numeric_limits<std::size_t>::max() / sizeof(float) / features) {
        throw argument_error("make_synthetic: expected a data set that fits in memory, found " +
                             std::to_string(most) + " samples of " + std::to_string(features) +
                             " features");
    }

    // Independent streams: the problem, the training set and the test set.
    const rng root(seed);
    rng structure = root.fork(0);
    rng train_stream = root.fork(1);
    rng test_stream = root.fork(2);
    const detail::synthetic_problem problem(features, classes, structure);
    return {problem.draw("synthetic train", train, train_stream),
            problem.draw("synthetic test", test, test_stream)};
}

}  // namespace neuroplastic
