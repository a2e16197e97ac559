#include <neuroplastic/data/synthetic.hpp>
#include <neuroplastic/io/checkpoint.hpp>
#include <neuroplastic/neuroplastic.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>
#include <vector>

#include "catch.hpp"

namespace npl = neuroplastic;
namespace fs = std::filesystem;

namespace {

using dense_net = npl::network<npl::input<32>, npl::dense<24>, npl::relu, npl::dense<4>>;
using sparse_net = npl::network<npl::input<32>, npl::sparse<40>, npl::relu, npl::sparse<20>,
                                npl::relu, npl::dense<4>>;

const npl::dataset_split& data() {
    static const npl::dataset_split split = npl::make_synthetic(32, 4, 1000, 200, 8);
    return split;
}

fs::path scratch(const std::string& name) {
    const fs::path dir =
        fs::temp_directory_path() / ("neuroplastic_checkpoint_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

const npl::topology::policy rigl =
    npl::topology::rigl{.density = 0.3, .update_interval = 7, .seed = 5};

// A trainer for `Net` as every test here builds it; sparse networks follow the RigL policy.
template <class Net>
auto make_trainer(Net& net) {
    npl::trainer t(net, npl::softmax_cross_entropy<>{}, npl::adam{},
                   npl::cosine_schedule{.base_rate = 0.01f});
    if constexpr (std::is_same_v<Net, sparse_net>) t.use_topology(rigl);
    return t;
}

constexpr npl::fit_options options{.epochs = 3, .batch_size = 50, .seed = 4};

// Trains `steps` steps from scratch (stopping mid-epoch), then saves.
template <class Net>
void train_and_save(std::size_t steps, const fs::path& path) {
    Net net(1);
    auto t = make_trainer(net);
    t.on_step([&](const npl::step_report& r) {
        if (r.step == steps) t.request_stop();
    });
    t.fit(data().train, nullptr, options);
    REQUIRE(t.steps() == steps);
    npl::save_checkpoint(path, t);
}

// The exact-resume property for one network type: N steps, save, load in a fresh process, M
// more, against N + M without stopping. The checkpoint of the end state holds every weight,
// every optimiser state, the topology and the position, so equal bytes mean equal runs.
template <class Net>
void check_exact_resume() {
    const fs::path path = scratch("resume.ckpt");
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        try {
            train_and_save<Net>(33, path);  // 33 steps: mid-epoch, after topology updates
        } catch (...) {
            ::_exit(1);
        }
        ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);

    Net resumed(99);  // other weights, other topology: the checkpoint must replace them all
    auto tr = make_trainer(resumed);
    npl::load_checkpoint(path, tr);
    REQUIRE(tr.steps() == 33);
    tr.fit(data().train, nullptr, options);

    Net straight(1);
    auto ts = make_trainer(straight);
    ts.fit(data().train, nullptr, options);
    REQUIRE(tr.steps() == ts.steps());
    REQUIRE(npl::checkpoint_bytes(tr) == npl::checkpoint_bytes(ts));
}

template <class Net>
std::vector<std::byte> state_of(const Net& net) {
    return npl::network_bytes(net);
}

}  // namespace

TEST_CASE("a network survives a save and a load unchanged", "[checkpoint]") {
    sparse_net a(3);
    auto t = make_trainer(a);
    t.fit(data().train, nullptr, {.epochs = 1, .batch_size = 50});
    const fs::path path = scratch("network.ckpt");
    npl::save_network(path, a);
    sparse_net b(4);
    REQUIRE(state_of(b) != state_of(a));
    npl::load_network(path, b);
    REQUIRE(state_of(b) == state_of(a));
    REQUIRE(b.layer<0>().live_connections() == a.layer<0>().live_connections());
    npl::batch<32> x(5);
    for (std::size_t f = 0; f < 32; ++f) x(f, 3) = 0.5f;
    const auto ya = a.forward(x);
    const auto& yb = b.forward(x);
    for (std::size_t o = 0; o < 4; ++o) REQUIRE(ya(o, 3) == yb(o, 3));
}

TEST_CASE("training resumes exactly from a checkpoint, dense", "[checkpoint][resume]") {
    check_exact_resume<dense_net>();
}

TEST_CASE("training resumes exactly from a checkpoint, sparse with RigL updates",
          "[checkpoint][resume]") {
    check_exact_resume<sparse_net>();
}

TEST_CASE("a failed load throws, says why, and changes nothing", "[checkpoint]") {
    sparse_net net(5);
    auto t = make_trainer(net);
    t.fit(data().train, nullptr, {.epochs = 1, .batch_size = 50});
    const std::vector<std::byte> good = npl::checkpoint_bytes(t);
    const std::vector<std::byte> before = npl::checkpoint_bytes(t);

    const auto refused = [&](std::span<const std::byte> bytes, const std::string& expected) {
        INFO("expected a message containing: " << expected);
        REQUIRE_THROWS_WITH(npl::load_checkpoint_bytes(bytes, t, "test.ckpt"),
                            Catch::Contains(expected) && Catch::Contains("test.ckpt"));
        REQUIRE(npl::checkpoint_bytes(t) == before);
    };

    // Truncated anywhere.
    for (std::size_t n :
         {std::size_t{0}, std::size_t{5}, std::size_t{30}, good.size() / 2, good.size() - 1}) {
        refused(std::span(good).first(n), n < 32 ? "truncated" : "");
    }
    // One bit flipped anywhere after the header's first fields.
    for (std::size_t at : {std::size_t{40}, good.size() / 3, good.size() - 10}) {
        auto flipped = good;
        flipped[at] ^= std::byte{0x10};
        refused(flipped, "checksum mismatch");
    }
    // A newer format.
    {
        auto future = good;
        future[8] = std::byte{2};
        refused(future, "format version 2");
    }
    // Not a checkpoint.
    {
        auto other = good;
        other[0] = std::byte{'X'};
        refused(other, "wrong magic");
    }
    // A network checkpoint where a training checkpoint is expected.
    refused(npl::network_bytes(net), "expected a training checkpoint, found a network");
}

TEST_CASE("a checkpoint of another architecture is refused, naming both", "[checkpoint]") {
    dense_net small(1);
    const auto bytes = npl::network_bytes(small);
    npl::network<npl::input<32>, npl::dense<25>, npl::relu, npl::dense<4>> other(2);
    const auto before = npl::network_bytes(other);
    REQUIRE_THROWS_WITH(npl::load_network_bytes(bytes, other, "small.ckpt"),
                        Catch::Contains("another network") && Catch::Contains("dense<32, 25>") &&
                            Catch::Contains("dense<32, 24>"));
    REQUIRE(npl::network_bytes(other) == before);
}

TEST_CASE("a checkpoint saved under another topology policy is refused", "[checkpoint]") {
    sparse_net net(1);
    auto t = make_trainer(net);
    const auto bytes = npl::checkpoint_bytes(t);
    sparse_net other(1);
    npl::trainer u(other, npl::softmax_cross_entropy<>{}, npl::adam{},
                   npl::cosine_schedule{.base_rate = 0.01f});
    REQUIRE_THROWS_WITH(npl::load_checkpoint_bytes(bytes, u, "p.ckpt"),
                        Catch::Contains("call use_topology before loading"));
    u.use_topology(npl::topology::set{.density = 0.3});
    REQUIRE_THROWS_WITH(npl::load_checkpoint_bytes(bytes, u, "p.ckpt"),
                        Catch::Contains("another topology policy") && Catch::Contains("rigl"));
}

TEST_CASE("a NaN never reaches a checkpoint", "[checkpoint][numeric]") {
    dense_net net(1);
    const fs::path path = scratch("nan.ckpt");
    npl::save_network(path, net);
    const auto saved = npl::network_bytes(net);
    net.layer<0>().weight(3, 4) = std::numeric_limits<float>::quiet_NaN();
    REQUIRE_THROWS_WITH(npl::save_network(path, net),
                        Catch::Contains("NaN") && Catch::Contains("layer 0"));
    dense_net back(2);
    npl::load_network(path, back);
    REQUIRE(npl::network_bytes(back) == saved);  // the previous file is untouched
}

TEST_CASE("a checkpoint holding a NaN, even with a good checksum, is refused",
          "[checkpoint][numeric]") {
    dense_net net(1);
    net.layer<0>().weight(3, 4) = 1234.5f;  // a value whose bytes (little-endian) are found below
    std::vector<std::byte> bytes = npl::network_bytes(net);
    const auto pattern = std::bit_cast<std::array<std::byte, 4>>(1234.5f);
    const auto found = std::search(bytes.begin(), bytes.end(), pattern.begin(), pattern.end());
    REQUIRE(found != bytes.end());
    const auto nan =
        std::bit_cast<std::array<std::byte, 4>>(std::numeric_limits<float>::quiet_NaN());
    std::copy(nan.begin(), nan.end(), found);
    const std::uint32_t sum = npl::detail::crc32(std::span(bytes).first(bytes.size() - 4));
    for (std::size_t i = 0; i < 4; ++i) bytes[bytes.size() - 4 + i] = std::byte(sum >> (8 * i));

    dense_net other(2);
    const auto before = npl::network_bytes(other);
    REQUIRE_THROWS_WITH(
        npl::load_network_bytes(bytes, other, "nan.ckpt"),
        Catch::Contains("NaN") && Catch::Contains("layer 0") && Catch::Contains("nan.ckpt"));
    REQUIRE(npl::network_bytes(other) == before);
}

TEST_CASE("a save killed halfway leaves the previous checkpoint intact", "[checkpoint][atomic]") {
    // Large enough that a save takes a while: 4 million weights, 16 MB.
    using big_net = npl::network<npl::input<2000>, npl::dense<2000>>;
    auto net = std::make_unique<big_net>(1);
    const fs::path path = scratch("big.ckpt");
    npl::save_network(path, *net);

    int killed_mid_save = 0;
    for (int round = 0; round < 5; ++round) {
        int ready[2];
        REQUIRE(::pipe(ready) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            // Save networks whose weights all equal k, for k = 1, 2, 3, again and again. Their
            // bytes are formed first, so the child spends its time writing files and a kill
            // lands inside a write, a flush or a rename.
            std::vector<std::vector<std::byte>> images;
            for (int k = 1; k <= 3; ++k) {
                std::ranges::fill(net->layer<0>().weights().value(), float(k));
                images.push_back(npl::network_bytes(*net));
            }
            const char go = 1;
            (void)::write(ready[1], &go, 1);  // from here on, the child only saves
            for (std::size_t k = 0;; ++k) npl::detail::write_atomically(path, images[k % 3]);
        }
        char go = 0;
        REQUIRE(::read(ready[0], &go, 1) == 1);
        ::close(ready[0]);
        ::close(ready[1]);
        std::this_thread::sleep_for(std::chrono::milliseconds(40 + 23 * round));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        REQUIRE(WIFSIGNALED(status));
        // A temporary file left behind means the kill landed inside a save.
        for (const auto& entry : fs::directory_iterator(path.parent_path())) {
            const std::string name = entry.path().filename().string();
            if (name.rfind(".big.ckpt.tmp.", 0) == 0) {
                ++killed_mid_save;
                fs::remove(entry.path());
            }
        }

        // Whatever the child managed, the file is a whole checkpoint: the first one, or one of
        // the child's complete saves (all weights equal to its count), never a mixture.
        auto back = std::make_unique<big_net>(2);
        npl::load_network(path, *back);
        const auto w = back->layer<0>().weights().value();
        const bool original = npl::network_bytes(*back) == npl::network_bytes(*net);
        const bool complete_save =
            (w[0] == 1.0f || w[0] == 2.0f || w[0] == 3.0f) &&
            std::all_of(w.begin(), w.end(), [&](float v) { return v == w[0]; });
        REQUIRE((original || complete_save));
    }
    INFO("rounds killed inside a save: " << killed_mid_save);
    REQUIRE(killed_mid_save > 0);  // the test did test what it claims
    fs::remove_all(path.parent_path());
}

TEST_CASE("a NaN in training stops it naming the step, or skips the batch", "[trainer][numeric]") {
    npl::dataset poisoned("poisoned", 32, 4);
    for (std::size_t i = 0; i < 200; ++i) {
        auto x = data().train.sample(i).to_vector();
        if (i == 77) x[5] = std::numeric_limits<float>::quiet_NaN();
        poisoned.add(x, data().train.label(i));
    }
    {
        dense_net net(1);
        auto t = make_trainer(net);
        REQUIRE_THROWS_WITH(t.fit(poisoned, nullptr, {.epochs = 1, .batch_size = 50}),
                            Catch::Contains("step 2: the loss is nan"));
    }
    {
        dense_net net(1);
        auto t = make_trainer(net);
        const auto history =
            t.fit(poisoned, nullptr,
                  {.epochs = 2, .batch_size = 50, .nonfinite = npl::nonfinite_policy::skip});
        REQUIRE(history.skipped_batches == 2);  // the batch holding sample 77, in each epoch
        REQUIRE(t.steps() == 2 * 4 - 2);
        net.for_each_parameter([](const npl::parameter& p) {
            for (float v : p.value()) REQUIRE(std::isfinite(v));
        });
    }
    {
        // A NaN target makes the loss itself NaN.
        npl::dataset targets("targets", 3, 0, 1);
        for (int i = 0; i < 40; ++i) {
            const float x[3] = {float(i), 1.0f, 2.0f};
            const float y[1] = {i == 25 ? std::numeric_limits<float>::quiet_NaN() : 1.0f};
            targets.add(x, std::span<const float>(y));
        }
        npl::network<npl::input<3>, npl::dense<1>> net(1);
        npl::trainer t(net, npl::mean_squared_error<>{}, npl::sgd{},
                       npl::constant_schedule{.base_rate = 0.001f});
        REQUIRE_THROWS_WITH(t.fit(targets, nullptr, {.epochs = 1, .batch_size = 10, .seed = 1}),
                            Catch::Contains(": the loss is nan") && Catch::Contains("step "));
    }
    {
        // A learning rate that blows the weights up: the update that overflows is named.
        dense_net net(1);
        npl::trainer t(net, npl::softmax_cross_entropy<>{}, npl::sgd{},
                       npl::constant_schedule{.base_rate = std::numeric_limits<float>::infinity()});
        REQUIRE_THROWS_WITH(
            t.fit(data().train, nullptr, {.epochs = 1, .batch_size = 50}),
            Catch::Contains("step 1: the update left a non-finite weight in layer 0 "
                            "(dense<32, 24>), parameter weights"));
    }
}
