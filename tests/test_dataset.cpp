// Tests of the in-memory data set: adding samples, taking the head, and gathering minibatches
// into feature-major batches.
#include <neuroplastic/data/dataset.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "catch.hpp"
#include "error_message.hpp"

using neuroplastic::batch;
using neuroplastic::data_error;
using neuroplastic::dataset;
using neuroplastic::shape_error;
using neuroplastic::test::contains;
using neuroplastic::test::error_message;

namespace {

// Sample i of a labelled data set of `features` features holds i * 100 + f at feature f, so
// every gathered value says where it came from.
dataset numbered(std::size_t samples, std::size_t features, std::size_t classes) {
    dataset d("numbered", features, classes);
    std::vector<float> values(features);
    for (std::size_t i = 0; i < samples; ++i) {
        for (std::size_t f = 0; f < features; ++f) values[f] = static_cast<float>(i * 100 + f);
        d.add(values, static_cast<std::uint32_t>(i % classes));
    }
    return d;
}

// Every value of `x` is the right feature of the right sample, and the padding stays zero.
template <std::size_t Features>
void check_gathered(const dataset& d, const std::vector<std::size_t>& indices,
                    const batch<Features>& x) {
    REQUIRE(x.samples() == indices.size());
    for (std::size_t f = 0; f < Features; ++f) {
        for (std::size_t j = 0; j < indices.size(); ++j) {
            INFO("feature " << f << ", column " << j << ", sample " << indices[j]);
            CHECK(x(f, j) == d.sample(indices[j])[f]);
        }
        for (std::size_t j = indices.size(); j < x.stride(); ++j) {
            INFO("padding of feature " << f << " at column " << j);
            CHECK(x.data()[f * x.stride() + j] == 0.0f);
        }
    }
}

}  // namespace

TEST_CASE("a labelled data set keeps its samples and labels in order", "[dataset]") {
    dataset d("small", 3, 4);
    CHECK(d.empty());
    CHECK(d.labelled());
    d.add(std::array{1.0f, 2.0f, 3.0f}, 2);
    d.add(std::array{4.0f, 5.0f, 6.0f}, 0);

    CHECK(d.name() == "small");
    CHECK(d.size() == 2);
    CHECK(d.features() == 3);
    CHECK(d.classes() == 4);
    CHECK(d.targets() == 0);
    CHECK(d.sample(1)[0] == 4.0f);
    CHECK(d.sample(1)[2] == 6.0f);
    CHECK(d.label(0) == 2);
    CHECK(d.labels().size() == 2);
}

TEST_CASE("dataset::add rejects samples that do not fit, and keeps what it had", "[dataset]") {
    dataset d("digits", 3, 4);
    d.add(std::array{1.0f, 2.0f, 3.0f}, 1);

    SECTION("too few feature values") {
        const auto message = error_message<data_error>([&] { d.add(std::array{1.0f, 2.0f}, 1); });
        INFO(message);
        CHECK(contains(message, "digits"));
        CHECK(contains(message, "expected 3 feature values"));
        CHECK(contains(message, "found 2"));
    }
    SECTION("a label outside the classes") {
        const auto message = error_message<data_error>([&] {
            d.add(std::array{1.0f, 2.0f, 3.0f}, 4);
        });
        INFO(message);
        CHECK(contains(message, "digits"));
        CHECK(contains(message, "label 4"));
        CHECK(contains(message, "4 classes"));
    }
    SECTION("target values for a labelled data set") {
        const auto message = error_message<data_error>([&] {
            d.add(std::array{1.0f, 2.0f, 3.0f}, std::array{0.5f});
        });
        INFO(message);
        CHECK(contains(message, "expected 0 target values"));
        CHECK(contains(message, "found 1"));
    }
    CHECK(d.size() == 1);
    CHECK(d.label(0) == 1);
}

TEST_CASE("a data set with target values checks their number", "[dataset]") {
    dataset d("curve", 2, 0, 2);
    CHECK_FALSE(d.labelled());
    d.add(std::array{1.0f, 2.0f}, std::array{0.25f, 0.5f});
    CHECK(d.size() == 1);
    CHECK(d.target(0)[1] == 0.5f);

    const auto wrong_count = error_message<data_error>([&] {
        d.add(std::array{1.0f, 2.0f}, std::array{0.25f, 0.5f, 0.75f});
    });
    INFO(wrong_count);
    CHECK(contains(wrong_count, "curve"));
    CHECK(contains(wrong_count, "expected 2 target values"));
    CHECK(contains(wrong_count, "found 3"));

    const auto label = error_message<data_error>([&] { d.add(std::array{1.0f, 2.0f}, 0); });
    INFO(label);
    CHECK(contains(label, "0 classes"));
    CHECK(d.size() == 1);
}

TEST_CASE("dataset::head copies the first samples", "[dataset]") {
    const dataset d = numbered(5, 3, 2);

    const dataset first = d.head(2);
    REQUIRE(first.size() == 2);
    CHECK(first.name() == d.name());
    CHECK(first.classes() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(first.label(i) == d.label(i));
        for (std::size_t f = 0; f < 3; ++f) CHECK(first.sample(i)[f] == d.sample(i)[f]);
    }
    CHECK(d.head(100).size() == 5);
    CHECK(d.head(0).empty());

    dataset curve("curve", 1, 0, 1);
    for (int i = 0; i < 4; ++i) {
        curve.add(std::array{static_cast<float>(i)}, std::array{static_cast<float>(10 * i)});
    }
    const dataset curve_head = curve.head(3);
    REQUIRE(curve_head.size() == 3);
    CHECK(curve_head.target(2)[0] == 20.0f);
}

TEST_CASE("dataset::gather writes samples as feature-major columns", "[dataset]") {
    SECTION("a few samples, repeated and out of order") {
        const dataset d = numbered(5, 3, 2);
        const std::vector<std::size_t> indices = {4, 0, 2, 2};
        batch<3> x;
        d.gather(indices, x);
        check_gathered(d, indices, x);
        CHECK(x(0, 0) == 400.0f);
        CHECK(x(2, 1) == 2.0f);

        // A batch of another size is resized, and no value of the larger one is left over.
        const std::vector<std::size_t> fewer = {1};
        d.gather(fewer, x);
        check_gathered(d, fewer, x);
    }
    SECTION("more samples and features than one block of the copy") {
        const dataset d = numbered(40, 70, 3);
        std::vector<std::size_t> indices;
        for (std::size_t i = 40; i-- > 0;) indices.push_back(i);
        batch<70> x(5);
        d.gather(indices, x);
        check_gathered(d, indices, x);
    }
    SECTION("bytes, eight features at a time and a remainder, across blocks of samples") {
        // 21 features: two steps of eight and five more; 300 samples: blocks of 128 and a rest.
        dataset d = dataset::of_bytes("bytes", 21, 3, 4.0f);
        std::vector<std::uint8_t> values(21);
        for (std::size_t i = 0; i < 300; ++i) {
            for (std::size_t f = 0; f < 21; ++f) {
                values[f] = static_cast<std::uint8_t>((i * 7 + f * 31) % 256);
            }
            d.add(values, static_cast<std::uint32_t>(i % 3));
        }
        std::vector<std::size_t> indices;
        for (std::size_t j = 0; j < 300; ++j) indices.push_back((j * 97) % 300);
        batch<21> x;
        d.gather(indices, x);
        check_gathered(d, indices, x);
        CHECK(x(20, 1) == static_cast<float>((97 * 7 + 20 * 31) % 256) / 4.0f);
    }
    SECTION("bytes read as b / 255, whose quotients are inexact, have the table's bits") {
        // The shape of Fashion-MNIST, a block of 128 samples and 37 more, every byte value.
        dataset d = dataset::of_bytes("pixels", 784, 10, 255.0f);
        std::vector<std::uint8_t> values(784);
        for (std::size_t i = 0; i < 200; ++i) {
            for (std::size_t f = 0; f < 784; ++f) {
                values[f] = static_cast<std::uint8_t>((i * 13 + f * 7 + f / 256) % 256);
            }
            d.add(values, static_cast<std::uint32_t>(i % 10));
        }
        std::vector<std::size_t> indices;
        for (std::size_t j = 0; j < 165; ++j) indices.push_back((j * 61 + 5) % 200);
        batch<784> x;
        d.gather(indices, x);
        check_gathered(d, indices, x);
        CHECK(x(783, 164) ==
              static_cast<float>(((164 * 61 + 5) % 200 * 13 + 783 * 7 + 3) % 256) / 255.0f);
    }
    SECTION("a batch of the wrong width") {
        const dataset d = numbered(5, 3, 2);
        const std::vector<std::size_t> indices = {0};
        batch<5> x;
        const auto message = error_message<shape_error>([&] { d.gather(indices, x); });
        INFO(message);
        CHECK(contains(message, "numbered"));
        CHECK(contains(message, "reads 5 features"));
        CHECK(contains(message, "has 3"));
    }
}

TEST_CASE("dataset::gather_labels copies the labels of the chosen samples", "[dataset]") {
    const dataset d = numbered(7, 2, 3);
    const std::vector<std::size_t> indices = {6, 1, 5, 1};
    std::vector<std::uint32_t> labels = {9, 9, 9, 9, 9, 9, 9, 9};
    d.gather_labels(indices, labels);
    CHECK(labels == std::vector<std::uint32_t>{0, 1, 2, 1});
}

TEST_CASE("dataset::gather_targets writes target values as columns", "[dataset]") {
    dataset d("curve", 1, 0, 2);
    for (int i = 0; i < 4; ++i) {
        const auto v = static_cast<float>(i);
        d.add(std::array{v}, std::array{v + 0.5f, -v});
    }
    const std::vector<std::size_t> indices = {3, 0, 2};
    batch<2> t;
    d.gather_targets(indices, t);
    REQUIRE(t.samples() == 3);
    for (std::size_t j = 0; j < indices.size(); ++j) {
        for (std::size_t k = 0; k < 2; ++k) CHECK(t(k, j) == d.target(indices[j])[k]);
    }
    CHECK(t(0, 0) == 3.5f);
    CHECK(t(1, 2) == -2.0f);

    batch<3> wrong;
    const auto message = error_message<shape_error>([&] { d.gather_targets(indices, wrong); });
    INFO(message);
    CHECK(contains(message, "expects 3 target values"));
    CHECK(contains(message, "has 2"));
}
