// Trains LeNet-300-100 (784-300-100-10) on Fashion-MNIST and reports its test accuracy and speed,
// with dense layers or with sparse layers whose connections are pruned and regrown as it trains.
//
//   fashion_mnist [--data DIR] [--epochs N] [--batch N] [--lr F] [--seed N] [--threads N]
//                 [--model dense|sparse] [--method static|set|rigl] [--density F]
//                 [--distribution uniform|er|erk] [--update-interval N]
//                 [--growth-init zero|random] [--topology-log FILE]
//                 [--optimizer sgd|adam] [--momentum F] [--schedule cosine|constant]
//                 [--save FILE] [--load FILE] [--stop-after N] [--min-accuracy F] [--json]
//
// The data are read from Debian's dataset-fashion-mnist package by default; where it is missing,
// the demo says so and trains on a built-in synthetic data set instead. --json ends the output
// with one line holding a JSON object of the settings and results. --save writes a checkpoint
// of the whole run at the end of every epoch; --load continues a run from one, up to --epochs
// epochs in all, with the same results bit for bit as a run that never stopped. --stop-after N
// ends the process after N epochs of the --epochs planned, as an interrupted run would end.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <neuroplastic/data/idx.hpp>
#include <neuroplastic/data/synthetic.hpp>
#include <neuroplastic/io/checkpoint.hpp>
#include <neuroplastic/neuroplastic.hpp>
#include <neuroplastic/training/progress.hpp>
#include <neuroplastic/training/trainer.hpp>

namespace npl = neuroplastic;

namespace {

using lenet = npl::network<npl::input<784>, npl::dense<300>, npl::relu, npl::dense<100>, npl::relu,
                           npl::dense<10>>;

// Every layer sparse, so that the density distribution decides which become dense (ERK makes
// the output layer dense at density 0.1).
using sparse_lenet = npl::network<npl::input<784>, npl::sparse<300>, npl::relu, npl::sparse<100>,
                                  npl::relu, npl::sparse<10>>;

struct settings {
    std::filesystem::path data = npl::default_fashion_mnist_dir();
    bool data_given = false;
    std::size_t epochs = 20;
    std::size_t batch = 128;
    float lr = 0.05f;
    float momentum = 0.9f;
    std::uint64_t seed = 1;
    std::size_t threads = 1;
    std::string model = "dense";
    std::string method = "rigl";
    double density = 0.1;
    std::string distribution = "erk";
    std::size_t update_interval = 0;  // 0: the method's default
    bool update_interval_given = false;
    std::string topology_log;
    std::string growth_init;  // empty: the method's default
    std::string save;
    std::string load;
    std::size_t stop_after = 0;  // 0: run every epoch
    std::string optimizer = "sgd";
    std::string schedule = "cosine";
    double min_accuracy = 0.0;
    bool json = false;
};

[[noreturn]] void usage(const std::string& problem) {
    std::fprintf(stderr,
                 "%s%s"
                 "usage: fashion_mnist [--data DIR] [--epochs N] [--batch N] [--lr F] [--seed N]\n"
                 "                     [--threads N] [--model dense|sparse]\n"
                 "                     [--method static|set|rigl] [--density F]\n"
                 "                     [--distribution uniform|er|erk] [--update-interval N]\n"
                 "                     [--growth-init zero|random] [--topology-log FILE]\n"
                 "                     [--optimizer sgd|adam]\n"
                 "                     [--momentum F] [--schedule cosine|constant]\n"
                 "                     [--save FILE] [--load FILE] [--stop-after N]\n"
                 "                     [--min-accuracy F] [--json]\n",
                 problem.c_str(), problem.empty() ? "" : "\n");
    std::exit(problem.empty() ? 0 : 2);
}

template <class T>
T number(std::string_view flag, std::string_view text) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        usage("fashion_mnist: " + std::string(flag) + " expects a number, found '" +
              std::string(text) + "'");
    }
    return value;
}

settings parse(int argc, char** argv) {
    settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") usage("");
        if (flag == "--json") {
            s.json = true;
            continue;
        }
        if (i + 1 >= argc) usage("fashion_mnist: " + std::string(flag) + " needs a value");
        const std::string_view value = argv[++i];
        if (flag == "--data") {
            s.data = std::string(value);
            s.data_given = true;
        } else if (flag == "--epochs") {
            s.epochs = number<std::size_t>(flag, value);
        } else if (flag == "--batch") {
            s.batch = number<std::size_t>(flag, value);
        } else if (flag == "--lr") {
            s.lr = number<float>(flag, value);
        } else if (flag == "--momentum") {
            s.momentum = number<float>(flag, value);
        } else if (flag == "--seed") {
            s.seed = number<std::uint64_t>(flag, value);
        } else if (flag == "--threads") {
            s.threads = number<std::size_t>(flag, value);
        } else if (flag == "--min-accuracy") {
            s.min_accuracy = number<double>(flag, value);
        } else if (flag == "--model") {
            s.model = std::string(value);
        } else if (flag == "--method") {
            s.method = std::string(value);
        } else if (flag == "--density") {
            s.density = number<double>(flag, value);
        } else if (flag == "--distribution") {
            s.distribution = std::string(value);
        } else if (flag == "--update-interval") {
            s.update_interval = number<std::size_t>(flag, value);
            s.update_interval_given = true;
        } else if (flag == "--save") {
            s.save = std::string(value);
        } else if (flag == "--load") {
            s.load = std::string(value);
        } else if (flag == "--stop-after") {
            s.stop_after = number<std::size_t>(flag, value);
        } else if (flag == "--growth-init") {
            s.growth_init = std::string(value);
        } else if (flag == "--topology-log") {
            s.topology_log = std::string(value);
        } else if (flag == "--optimizer") {
            s.optimizer = std::string(value);
        } else if (flag == "--schedule") {
            s.schedule = std::string(value);
        } else {
            usage("fashion_mnist: unknown option " + std::string(flag));
        }
    }
    if (s.model != "dense" && s.model != "sparse") {
        usage("fashion_mnist: --model expects dense or sparse, found " + s.model);
    }
    if (s.method != "static" && s.method != "set" && s.method != "rigl") {
        usage("fashion_mnist: --method expects static, set or rigl, found " + s.method);
    }
    if (s.distribution != "uniform" && s.distribution != "er" && s.distribution != "erk") {
        usage("fashion_mnist: --distribution expects uniform, er or erk, found " + s.distribution);
    }
    if (!(s.density > 0.0 && s.density <= 1.0)) {
        usage("fashion_mnist: --density expects a value in (0, 1]");
    }
    if (!s.growth_init.empty() && s.growth_init != "zero" && s.growth_init != "random") {
        usage("fashion_mnist: --growth-init expects zero or random, found " + s.growth_init);
    }
    if (s.update_interval_given && s.update_interval == 0) {
        usage("fashion_mnist: --update-interval must be positive");
    }
    if (s.optimizer != "sgd" && s.optimizer != "adam") {
        usage("fashion_mnist: --optimizer expects sgd or adam, found " + s.optimizer);
    }
    if (s.schedule != "cosine" && s.schedule != "constant") {
        usage("fashion_mnist: --schedule expects cosine or constant, found " + s.schedule);
    }
    if (s.batch == 0 || s.epochs == 0 || s.threads == 0) {
        usage("fashion_mnist: --batch, --epochs and --threads must be positive");
    }
    if (!(s.lr > 0.0f)) usage("fashion_mnist: --lr must be positive");
    return s;
}

struct loaded_data {
    npl::dataset_split split;
    std::string source;
};

loaded_data load(const settings& s) {
    if (npl::fashion_mnist_available(s.data)) {
        return {npl::load_fashion_mnist(s.data), "fashion-mnist"};
    }
    if (s.data_given) {
        throw npl::io_error("fashion_mnist: no Fashion-MNIST files in " + s.data.string() +
                            " (expected train-images-idx3-ubyte.gz and the three others)");
    }
    std::fprintf(stderr,
                 "Fashion-MNIST is not installed in %s (Debian package dataset-fashion-mnist); "
                 "training on the built-in synthetic data set instead\n",
                 s.data.c_str());
    return {npl::make_synthetic(784, 10), "synthetic"};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n == 0 ? 0.0 : (n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

npl::topology::policy topology_policy(const settings& s) {
    const auto distribution = s.distribution == "uniform" ? npl::topology::distribution::uniform
                              : s.distribution == "er"
                                  ? npl::topology::distribution::erdos_renyi
                                  : npl::topology::distribution::erdos_renyi_kernel;
    npl::topology::policy p;
    if (s.method == "static") {
        p = npl::topology::static_mask{.density = s.density, .layer_density = distribution};
    } else if (s.method == "set") {
        p = npl::topology::set{.density = s.density, .layer_density = distribution};
    } else {
        p = npl::topology::rigl{.density = s.density, .layer_density = distribution};
    }
    if (s.update_interval_given) p.update_interval = s.update_interval;
    if (s.growth_init == "zero") p.init = npl::topology::growth_init::zero;
    if (s.growth_init == "random") p.init = npl::topology::growth_init::random;
    p.seed = s.seed;
    return p;
}

template <class Network, class Optimizer, class Schedule>
int run(const settings& s, const loaded_data& data, Optimizer opt, Schedule sched) {
    Network net(s.seed);
    npl::trainer trainer(net, npl::softmax_cross_entropy<>{}, opt, sched);
    std::size_t live = net.parameter_count();
    std::unique_ptr<npl::topology::log_file> log;
    if constexpr (std::is_same_v<Network, sparse_lenet>) {
        trainer.use_topology(topology_policy(s));
        live = trainer.topology_controller()->live_connections();
        if (!s.topology_log.empty()) {
            log = std::make_unique<npl::topology::log_file>(s.topology_log);
            trainer.on_topology([&log](const npl::topology::report& r) { log->write(r); });
        }
    } else {
        live = 784 * 300 + 300 * 100 + 100 * 10;
    }
    if (!s.load.empty()) {
        npl::load_checkpoint(s.load, trainer);
        std::fprintf(stderr, "continuing from %s after %zu steps\n", s.load.c_str(), trainer.steps());
    }
    if (!s.save.empty()) {
        trainer.on_epoch([&](const npl::epoch_report&) { npl::save_checkpoint(s.save, trainer); });
    }
    if (s.stop_after > 0) {
        std::size_t epochs_here = 0;
        trainer.on_epoch([&, epochs_here](const npl::epoch_report&) mutable {
            if (++epochs_here == s.stop_after) trainer.request_stop();
        });
    }
    npl::show_progress(trainer, stderr);
    const auto history = trainer.fit(
        data.split.train, &data.split.test,
        {.epochs = s.epochs, .batch_size = s.batch, .seed = s.seed, .threads = s.threads});

    if (history.epochs.empty()) {
        std::fprintf(stderr, "fashion_mnist: the run already has %zu epochs; nothing to do\n",
                     s.epochs);
        return 0;
    }
    std::vector<double> epoch_seconds;
    for (const auto& e : history.epochs) epoch_seconds.push_back(e.seconds);
    const auto& last = history.epochs.back();
    const bool sparse = std::is_same_v<Network, sparse_lenet>;
    const std::string method = sparse ? s.method : "dense";
    const double density = sparse ? double(live) / (784 * 300 + 300 * 100 + 100 * 10) : 1.0;
    std::printf(
        "test accuracy %.4f after %zu epochs, %.3f s per epoch (median), %s, %s, "
        "density %.4f\n",
        last.test.accuracy, history.epochs.size(), median(epoch_seconds), method.c_str(),
        npl::simd::arch_name(), density);
    if (s.json) {
        std::string seconds_list;
        for (double t : epoch_seconds) {
            seconds_list += (seconds_list.empty() ? "" : ", ") + std::to_string(t);
        }
        std::printf(
            "{\"model\": \"%s\", \"method\": \"%s\", \"density\": %.6g, "
            "\"distribution\": \"%s\", \"live_connections\": %zu, \"data\": \"%s\", "
            "\"epochs\": %zu, \"batch\": %zu, \"lr\": %g, \"optimizer\": \"%s\", "
            "\"schedule\": \"%s\", \"seed\": %llu, \"threads\": %zu, \"simd\": \"%s\", "
            "\"parameters\": %zu, \"test_accuracy\": %.4f, \"test_loss\": %.4f, "
            "\"train_loss\": %.4f, \"train_seconds\": %.4f, \"seconds_per_epoch\": %.4f, "
            "\"epoch_seconds\": [%s]}\n",
            s.model.c_str(), method.c_str(), density, sparse ? s.distribution.c_str() : "-", live,
            data.source.c_str(), history.epochs.size(), s.batch, double(s.lr), s.optimizer.c_str(),
            s.schedule.c_str(), static_cast<unsigned long long>(s.seed), s.threads,
            npl::simd::arch_name(), sparse ? live + 300 + 100 + 10 : net.parameter_count(),
            last.test.accuracy, last.test.loss, last.train.loss, history.train_seconds,
            median(epoch_seconds), seconds_list.c_str());
    }
    std::fflush(stdout);
    if (last.test.accuracy < s.min_accuracy) {
        std::fprintf(stderr, "fashion_mnist: test accuracy %.4f is below --min-accuracy %.4f\n",
                     last.test.accuracy, s.min_accuracy);
        return 1;
    }
    return 0;
}

template <class Optimizer, class Schedule>
int with_model(const settings& s, const loaded_data& data, Optimizer opt, Schedule sched) {
    if (s.model == "sparse") return run<sparse_lenet>(s, data, opt, sched);
    return run<lenet>(s, data, opt, sched);
}

template <class Optimizer>
int with_schedule(const settings& s, const loaded_data& data, Optimizer opt) {
    if (s.schedule == "cosine")
        return with_model(s, data, opt, npl::cosine_schedule{.base_rate = s.lr});
    return with_model(s, data, opt, npl::constant_schedule{.base_rate = s.lr});
}

}  // namespace

int main(int argc, char** argv) {
    const settings s = parse(argc, argv);
    try {
        const loaded_data data = load(s);
        if (s.optimizer == "adam") return with_schedule(s, data, npl::adam{});
        return with_schedule(s, data, npl::sgd{.momentum = s.momentum, .nesterov = true});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fashion_mnist: %s\n", e.what());
        return 1;
    }
}
