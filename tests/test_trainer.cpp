#include <neuroplastic/data/synthetic.hpp>
#include <neuroplastic/neuroplastic.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;

namespace {

using small_net = npl::network<npl::input<32>, npl::dense<24>, npl::relu, npl::dense<4>>;

const npl::dataset_split& data() {
    static const npl::dataset_split split = npl::make_synthetic(32, 4, 1200, 400, 3);
    return split;
}

template <class Net>
std::vector<float> weights_of(const Net& net) {
    std::vector<float> all;
    net.for_each_parameter([&](const npl::parameter& p) {
        all.insert(all.end(), p.value().begin(), p.value().end());
    });
    return all;
}

template <class Net>
npl::training_history train(Net& net, std::uint64_t seed, std::size_t threads,
                            std::size_t epochs = 3) {
    npl::trainer t(net, npl::softmax_cross_entropy<>{},
                   npl::sgd{.momentum = 0.9f, .nesterov = true},
                   npl::cosine_schedule{.base_rate = 0.05f});
    return t.fit(data().train, &data().test,
                 {.epochs = epochs, .batch_size = 50, .seed = seed, .threads = threads});
}

}  // namespace

TEST_CASE("training learns the synthetic data set", "[trainer]") {
    small_net net(1);
    const auto before = weights_of(net);
    const auto history = train(net, 1, 1, 12);
    REQUIRE(history.epochs.size() == 12);
    INFO("test accuracy " << history.epochs.back().test.accuracy);
    REQUIRE(history.epochs.back().test.accuracy > 0.7);  // chance is 0.25
    REQUIRE(history.epochs.back().train.loss < history.epochs.front().train.loss);
    REQUIRE(history.epochs.back().test.samples == 400);
    REQUIRE(history.epochs.back().train.samples == 1200);
    REQUIRE(weights_of(net) != before);
    REQUIRE(history.train_seconds > 0.0);
}

TEST_CASE("the same seeds give the same weights bit for bit, on any number of threads",
          "[trainer][determinism]") {
    small_net a(4), b(4), c(4), d(4);
    train(a, 9, 1);
    train(b, 9, 1);
    train(c, 9, 2);
    train(d, 10, 1);
    const auto wa = weights_of(a), wb = weights_of(b), wc = weights_of(c), wd = weights_of(d);
    REQUIRE(std::memcmp(wa.data(), wb.data(), wa.size() * sizeof(float)) == 0);
    REQUIRE(std::memcmp(wa.data(), wc.data(), wa.size() * sizeof(float)) == 0);
    REQUIRE(wa != wd);  // another shuffling seed, other weights
}

TEST_CASE("callbacks see every step and every epoch, and can stop training", "[trainer]") {
    small_net net(1);
    npl::trainer t(net, npl::softmax_cross_entropy<>{}, npl::sgd{},
                   npl::constant_schedule{.base_rate = 0.01f});
    std::size_t steps = 0, epochs = 0, last_step = 0;
    t.on_step([&](const npl::step_report& r) {
        ++steps;
        REQUIRE(r.step == steps);
        REQUIRE(r.batches == 24);  // 1200 samples in batches of 50
        REQUIRE(r.learning_rate == 0.01f);
        REQUIRE(std::isfinite(r.loss));
        last_step = r.step;
    });
    t.on_epoch([&](const npl::epoch_report& r) {
        ++epochs;
        REQUIRE(r.epoch == epochs);
        REQUIRE(r.step == last_step);
        if (epochs == 2) t.request_stop();
    });
    const auto history = t.fit(data().train, nullptr, {.epochs = 5, .batch_size = 50});
    REQUIRE(epochs == 2);
    REQUIRE(steps == 48);
    REQUIRE(history.epochs.size() == 2);
    REQUIRE(std::isnan(history.epochs[0].test.loss));
    REQUIRE(t.steps() == 48);
}

TEST_CASE("a last, smaller batch is trained too", "[trainer]") {
    small_net net(1);
    npl::trainer t(net, npl::softmax_cross_entropy<>{}, npl::sgd{},
                   npl::constant_schedule{.base_rate = 0.01f});
    std::vector<std::size_t> sizes;
    t.on_step([&](const npl::step_report& r) { sizes.push_back(r.samples); });
    t.fit(data().train, nullptr, {.epochs = 1, .batch_size = 500});
    REQUIRE(sizes == std::vector<std::size_t>{500, 500, 200});
}

TEST_CASE("data that does not fit the network is refused with a clear message", "[trainer]") {
    small_net net(1);
    npl::trainer t(net, npl::softmax_cross_entropy<>{}, npl::sgd{},
                   npl::constant_schedule{.base_rate = 0.01f});
    const auto wide = npl::make_synthetic(33, 4, 10, 10, 1);
    REQUIRE_THROWS_WITH(t.fit(wide.train, nullptr, {}),
                        Catch::Contains("reads 32 features") && Catch::Contains("has 33"));
    const auto many_classes = npl::make_synthetic(32, 6, 10, 10, 1);
    REQUIRE_THROWS_WITH(t.fit(many_classes.train, nullptr, {}),
                        Catch::Contains("4 outputs") && Catch::Contains("6 classes"));
    REQUIRE_THROWS_AS(t.fit(data().train, nullptr, {.batch_size = 0}), npl::argument_error);
}

TEST_CASE("regression with mean squared error reduces the loss", "[trainer]") {
    // y = A x for a fixed random A: a linear network can fit it exactly.
    npl::rng g(2);
    float a[2][3];
    for (auto& row : a) {
        for (float& v : row) v = g.uniform(-1.0f, 1.0f);
    }
    npl::dataset train("linear", 3, 0, 2);
    for (int i = 0; i < 400; ++i) {
        const float x[3] = {g.normal(), g.normal(), g.normal()};
        const float y[2] = {a[0][0] * x[0] + a[0][1] * x[1] + a[0][2] * x[2],
                            a[1][0] * x[0] + a[1][1] * x[1] + a[1][2] * x[2]};
        train.add(x, std::span<const float>(y));
    }
    npl::network<npl::input<3>, npl::dense<2, npl::glorot_uniform>> net(1);
    npl::trainer t(net, npl::mean_squared_error<>{}, npl::adam{},
                   npl::constant_schedule{.base_rate = 0.05f});
    const auto history = t.fit(train, &train, {.epochs = 40, .batch_size = 20});
    REQUIRE(history.epochs.back().test.loss < 1e-3);
    REQUIRE(std::isnan(history.epochs.back().test.accuracy));
    REQUIRE(net.layer<0>().weight(1, 2) == Approx(a[1][2]).margin(0.02));
}
