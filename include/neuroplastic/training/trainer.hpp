// The training loop: epochs of shuffled minibatches, drawn by a seeded generator, through a
// network, a loss, an optimiser and a learning-rate schedule; evaluation of loss and accuracy;
// callbacks after every step and every epoch. The same seeds give the same weights bit for bit on
// the same machine, for any number of threads (kernels/gemm.hpp says why).
#pragma once

#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "../core/batch.hpp"
#include "../core/diagnostics.hpp"
#include "../core/error.hpp"
#include "../core/random.hpp"
#include "../core/thread_pool.hpp"
#include "../data/dataset.hpp"
#include "../kernels/elementwise.hpp"
#include "../topology/controller.hpp"
#include "optimizer.hpp"
#include "schedule.hpp"

namespace neuroplastic {

/// What training does when a loss, a gradient or a weight is NaN or infinite.
enum class nonfinite_policy {
    stop,  ///< throw numeric_error, naming the step and the layer
    skip,  ///< leave the parameters as they were, count the batch and go on
};

/// How `trainer::fit` runs.
struct fit_options {
    std::size_t epochs = 10;
    std::size_t batch_size = 128;
    /// Seeds the generator that shuffles the samples each epoch.
    std::uint64_t seed = 0;
    /// Threads for the products of each step (1: the calling thread only).
    std::size_t threads = 1;
    /// Samples per forward pass when evaluating.
    std::size_t evaluation_batch = 1000;
    /// A NaN or infinite loss or gradient stops training, or skips its batch. A non-finite
    /// weight after an update always stops it.
    nonfinite_policy nonfinite = nonfinite_policy::stop;
};

/// What a step callback receives.
struct step_report {
    std::size_t epoch = 0;  ///< 1-based
    std::size_t epochs = 0;
    std::size_t batch = 0;    ///< 1-based, within the epoch
    std::size_t batches = 0;  ///< per epoch
    std::size_t step = 0;     ///< optimiser steps done, this one included
    std::size_t samples = 0;  ///< in this batch
    float loss = 0.0f;        ///< mean over this batch, before the update
    float learning_rate = 0.0f;
};

/// Loss and accuracy over a data set; accuracy is NaN for a loss without class labels.
struct evaluation {
    double loss = std::numeric_limits<double>::quiet_NaN();
    double accuracy = std::numeric_limits<double>::quiet_NaN();
    std::size_t samples = 0;
};

/// What an epoch callback receives.
struct epoch_report {
    std::size_t epoch = 0;  ///< 1-based
    std::size_t epochs = 0;
    std::size_t step = 0;  ///< optimiser steps done so far
    /// Mean loss and accuracy over the epoch's minibatches, each measured before its update.
    evaluation train;
    /// On the test set, after the epoch; NaN without one.
    evaluation test;
    double seconds = 0.0;             ///< the epoch's training steps, evaluation excluded
    double evaluation_seconds = 0.0;  ///< evaluating the test set
    float learning_rate = 0.0f;       ///< of the epoch's last step
};

/// What `fit` returns.
struct training_history {
    std::vector<epoch_report> epochs;
    double train_seconds = 0.0;  ///< all training steps, evaluation excluded
    /// Batches skipped for a non-finite loss or gradient (nonfinite_policy::skip).
    std::size_t skipped_batches = 0;
};

/// Where a trainer is in its training, all that a checkpoint needs to continue it exactly.
struct training_progress {
    bool started = false;
    std::size_t epochs_done = 0;
    std::size_t batches_done = 0;  ///< within the current epoch
    rng shuffler;
    std::vector<std::uint32_t> order;  ///< the current epoch's order of the samples
    double loss_sum = 0.0;             ///< over the current epoch's batches so far
    std::size_t hits = 0;
    std::size_t seen = 0;
};

/// Trains `Network` with `Loss`, an optimiser and a schedule. Callbacks run on the calling thread.
template <class Network, class Loss, optimizer Optimizer, schedule Schedule>
class trainer {
    static_assert(
        diagnostic::check_loss<Loss, diagnostic::network_output_width<Network::output_size>>());

public:
    static constexpr std::size_t input_size = Network::input_size;
    static constexpr std::size_t output_size = Network::output_size;

    trainer(Network& model, Loss loss, Optimizer opt, Schedule sched)
        : net_(&model),
          loss_(std::move(loss)),
          optimizer_(std::move(opt)),
          schedule_(std::move(sched)) {}

    /// Adds a callback that runs after every optimiser step.
    void on_step(std::function<void(const step_report&)> f) {
        step_callbacks_.push_back(std::move(f));
    }
    /// Adds a callback that runs after every epoch (and its evaluation).
    void on_epoch(std::function<void(const epoch_report&)> f) {
        epoch_callbacks_.push_back(std::move(f));
    }

    /// Adds a callback that receives a report after every topology update and every epoch.
    void on_topology(std::function<void(const topology::report&)> f) {
        topology_callbacks_.push_back(std::move(f));
    }

    /// Makes the network's connections follow `p` from now on: shares its density among the
    /// network's weight layers and draws every sparse layer's topology and weights afresh
    /// (topology/controller.hpp); `fit` then rewires them as the policy says.
    void use_topology(const topology::policy& p) {
        topology_ = std::make_unique<topology::controller<Network>>(*net_, p);
    }

    /// The topology controller, or null when no policy is in use.
    [[nodiscard]] topology::controller<Network>* topology_controller() noexcept {
        return topology_.get();
    }

    /// Asks `fit` to return after the current step; callbacks may call it.
    void request_stop() noexcept { stop_ = true; }

    /// Trains over `train` until `options.epochs` epochs are complete in all, counting those of
    /// earlier calls and of a loaded checkpoint, evaluating `test` (if not null) after each.
    /// The first call seeds the shuffling with `options.seed`; a call after `request_stop`, or
    /// after loading a checkpoint, continues where training stopped, mid-epoch included.
    training_history fit(const dataset& train, const dataset* test, const fit_options& options) {
        check_data(train);
        if (test != nullptr) check_data(*test);
        if (options.batch_size == 0) throw argument_error("fit: the batch size must be positive");
        use_threads(options.threads);
        nonfinite_ = options.nonfinite;

        const std::size_t n = train.size();
        const std::size_t batches = (n + options.batch_size - 1) / options.batch_size;
        const std::size_t total = batches * options.epochs;
        if (!progress_.started) {
            progress_.started = true;
            progress_.shuffler.reseed(options.seed);
            progress_.order.resize(n);
            std::iota(progress_.order.begin(), progress_.order.end(), std::uint32_t{0});
        } else if (progress_.order.size() != n) {
            throw shape_error(train.name() + ": training was started on " +
                              std::to_string(progress_.order.size()) +
                              " samples, the data set has " + std::to_string(n));
        }

        training_history history;
        stop_ = false;
        while (progress_.epochs_done < options.epochs && !stop_) {
            const std::size_t epoch = progress_.epochs_done + 1;
            if (progress_.batches_done == 0) {
                progress_.shuffler.shuffle(std::span<std::uint32_t>(progress_.order));
                progress_.loss_sum = 0.0;
                progress_.hits = progress_.seen = 0;
            }
            epoch_report report;
            report.epoch = epoch;
            report.epochs = options.epochs;
            const auto start = clock::now();

            while (progress_.batches_done < batches && !stop_) {
                const std::size_t b = progress_.batches_done;
                const std::size_t first = b * options.batch_size;
                const std::size_t count = std::min(options.batch_size, n - first);
                indices_.assign(
                    progress_.order.begin() + static_cast<std::ptrdiff_t>(first),
                    progress_.order.begin() + static_cast<std::ptrdiff_t>(first + count));
                const float rate = schedule_.rate({steps_, total, batches});
                dense_gradients_ =
                    topology_ && topology_->wants_dense_gradients(steps_ + 1, total, batches);
                const std::size_t before = steps_;
                const float loss = train_batch(train, indices_, rate, progress_.hits);
                ++progress_.batches_done;
                if (steps_ == before) {  // a skipped batch: nothing was learnt from it
                    ++history.skipped_batches;
                    continue;
                }
                if (topology_) {
                    if (auto r = topology_->after_step(steps_, total, batches, epoch)) {
                        for (auto& f : topology_callbacks_) f(*r);
                    }
                }
                progress_.loss_sum += static_cast<double>(loss) * static_cast<double>(count);
                progress_.seen += count;
                report.learning_rate = rate;
                if (!step_callbacks_.empty()) {
                    const step_report s{epoch,  options.epochs, b + 1, batches,
                                        steps_, count,          loss,  rate};
                    for (auto& f : step_callbacks_) f(s);
                }
            }

            report.seconds = seconds_since(start);
            history.train_seconds += report.seconds;
            if (progress_.batches_done < batches) break;  // stopped within the epoch

            report.step = steps_;
            report.train.samples = progress_.seen;
            if (progress_.seen > 0) {
                report.train.loss = progress_.loss_sum / double(progress_.seen);
                if (Loss::uses_labels) {
                    report.train.accuracy = double(progress_.hits) / double(progress_.seen);
                }
            }
            if (test != nullptr) {
                const auto eval_start = clock::now();
                report.test = evaluate(*test, options.evaluation_batch);
                report.evaluation_seconds = seconds_since(eval_start);
            }
            ++progress_.epochs_done;
            progress_.batches_done = 0;
            if (topology_) {
                const topology::report r = topology_->epoch_end(steps_, epoch);
                for (auto& f : topology_callbacks_) f(r);
            }
            history.epochs.push_back(report);
            // Last, so that a checkpoint written here holds the finished epoch.
            for (auto& f : epoch_callbacks_) f(report);
        }
        dense_gradients_ = false;
        return history;
    }

    /// Loss and accuracy of the network over `data`, in forward passes of `batch_size` samples.
    evaluation evaluate(const dataset& data, std::size_t batch_size = 1000) {
        check_data(data);
        if (batch_size == 0) throw argument_error("evaluate: the batch size must be positive");
        evaluation result;
        double loss_sum = 0.0;
        std::size_t hits = 0;
        std::vector<std::size_t> indices;
        const pass_context ctx{pool_.get(), false};
        for (std::size_t first = 0; first < data.size(); first += batch_size) {
            const std::size_t count = std::min(batch_size, data.size() - first);
            indices.resize(count);
            std::iota(indices.begin(), indices.end(), first);
            data.gather(std::span<const std::size_t>(indices), inputs_);
            const auto& y = net_->forward(inputs_, ctx);
            if constexpr (Loss::uses_labels) {
                data.gather_labels(indices, labels_);
                loss_sum += double(loss_.forward(y.view(), labels_)) * double(count);
                hits += Loss::correct(y.view(), labels_);
            } else {
                data.gather_targets(std::span<const std::size_t>(indices), targets_);
                loss_sum += double(loss_.forward(y.view(), targets_.view())) * double(count);
            }
        }
        result.samples = data.size();
        if (data.size() > 0) {
            result.loss = loss_sum / double(data.size());
            if constexpr (Loss::uses_labels) result.accuracy = double(hits) / double(data.size());
        }
        return result;
    }

    /// One optimiser step on a batch with class labels; returns the batch's mean loss before it.
    /// A non-finite loss or gradient throws numeric_error, or, with nonfinite_policy::skip, leaves
    /// every parameter as it was (steps() does not advance).
    float step(const batch<input_size>& x, std::span<const std::uint32_t> labels,
               float rate) requires(Loss::uses_labels) {
        const pass_context ctx{pool_.get(), true, dense_gradients_};
        const auto& y = net_->forward(x, ctx);
        if (gradient_.samples() != y.samples()) gradient_.resize(y.samples());
        const float loss = loss_.forward_backward(y.view(), labels, gradient_.view());
        apply(x, loss, rate, ctx);
        return loss;
    }

    /// One optimiser step on a batch with target values; returns the batch's mean loss before it.
    float step(const batch<input_size>& x, const batch<output_size>& targets,
               float rate) requires(!Loss::uses_labels) {
        const pass_context ctx{pool_.get(), true, dense_gradients_};
        const auto& y = net_->forward(x, ctx);
        if (gradient_.samples() != y.samples()) gradient_.resize(y.samples());
        const float loss = loss_.forward_backward(y.view(), targets.view(), gradient_.view());
        apply(x, loss, rate, ctx);
        return loss;
    }

    /// Splits the products of later steps over `threads` threads (1: the calling thread only).
    void use_threads(std::size_t threads) {
        if (threads <= 1) {
            pool_.reset();
        } else if (!pool_ || pool_->threads() != threads) {
            pool_ = std::make_unique<thread_pool>(threads);
        }
    }

    [[nodiscard]] Network& network() noexcept { return *net_; }
    [[nodiscard]] Optimizer& optimizer_state() noexcept { return optimizer_; }
    [[nodiscard]] const Schedule& learning_rate_schedule() const noexcept { return schedule_; }
    [[nodiscard]] Loss& loss() noexcept { return loss_; }
    /// Optimiser steps taken so far, over every call to `fit` and `step`.
    [[nodiscard]] std::size_t steps() const noexcept { return steps_; }

    /// Where training is (io/checkpoint.hpp saves and restores it).
    [[nodiscard]] const training_progress& progress() const noexcept { return progress_; }
    [[nodiscard]] const Optimizer& optimizer_state() const noexcept { return optimizer_; }
    [[nodiscard]] const Network& network() const noexcept { return *net_; }
    [[nodiscard]] const topology::controller<Network>* topology_controller() const noexcept {
        return topology_.get();
    }

    /// Continues from a saved position: the steps taken, the progress, the optimiser's state.
    void restore(std::size_t steps, training_progress progress, Optimizer opt) noexcept {
        steps_ = steps;
        progress_ = std::move(progress);
        optimizer_ = std::move(opt);
    }

private:
    using clock = std::chrono::steady_clock;

    static double seconds_since(clock::time_point start) {
        return std::chrono::duration<double>(clock::now() - start).count();
    }

    float train_batch(const dataset& data, std::span<const std::size_t> indices, float rate,
                      std::size_t& hits) {
        data.gather(indices, inputs_);
        if constexpr (Loss::uses_labels) {
            data.gather_labels(indices, labels_);
            const std::size_t before = steps_;
            const float loss = step(inputs_, labels_, rate);
            if (steps_ != before) hits += Loss::correct(net_->output().view(), labels_);
            return loss;
        } else {
            data.gather_targets(indices, targets_);
            return step(inputs_, targets_, rate);
        }
    }

    void apply(const batch<input_size>& x, float loss, float rate, const pass_context& ctx) {
        if (!std::isfinite(loss)) {
            if (nonfinite_ == nonfinite_policy::skip) return;
            throw numeric_error("step " + std::to_string(steps_ + 1) + ": the loss is " +
                                std::to_string(loss) + ", expected a finite value");
        }
        net_->backward(x, gradient_.view(), ctx);
        if (const auto bad = find_nonfinite(true)) {
            if (nonfinite_ == nonfinite_policy::skip) return;
            throw numeric_error("step " + std::to_string(steps_ + 1) +
                                ": a non-finite gradient in " + *bad + ", expected finite values");
        }
        optimizer_.begin_step();
        net_->for_each_parameter([&](parameter& p) { optimizer_.update(p, rate); });
        ++steps_;
        if (const auto bad = find_nonfinite(false)) {
            throw numeric_error("step " + std::to_string(steps_) +
                                ": the update left a non-finite " + "weight in " + *bad +
                                " (is the learning rate too large?)");
        }
    }

    // "layer 2 (sparse<784, 300>), parameter weights" for the first parameter whose gradients
    // (or values) are not all finite. Each call is a pass over every parameter, two a step
    // beside the optimiser's own (docs/limits.md); folding them into the update would save it.
    std::optional<std::string> find_nonfinite(bool gradients) {
        std::optional<std::string> found;
        std::size_t position = 0;
        net_->for_each_layer([&](auto& l) {
            if (!found) {
                neuroplastic::for_each_parameter(l, [&](parameter& p) {
                    if (found) return;
                    const std::span<const float> v = gradients
                                                         ? std::span<const float>(p.gradient())
                                                         : std::span<const float>(p.value());
                    if (!kernels::all_finite(v)) {
                        found = "layer " + std::to_string(position) + " (" +
                                layer_signature<std::remove_cvref_t<decltype(l)>>() +
                                "), parameter " + std::string(p.name());
                    }
                });
            }
            ++position;
        });
        return found;
    }

    void check_data(const dataset& data) const {
        if (data.features() != input_size) {
            throw shape_error(data.name() + ": the network reads " + std::to_string(input_size) +
                              " features per sample, the data set has " +
                              std::to_string(data.features()));
        }
        if constexpr (Loss::uses_labels) {
            if (!data.labelled() || data.classes() > output_size) {
                throw shape_error(data.name() + ": the network has " + std::to_string(output_size) +
                                  " outputs for class labels, the data set has " +
                                  std::to_string(data.classes()) + " classes");
            }
        } else {
            if (data.targets() != output_size) {
                throw shape_error(data.name() + ": the network has " + std::to_string(output_size) +
                                  " outputs, the data set has " + std::to_string(data.targets()) +
                                  " target values per sample");
            }
        }
    }

    Network* net_;
    Loss loss_;
    Optimizer optimizer_;
    Schedule schedule_;
    std::unique_ptr<thread_pool> pool_;
    std::vector<std::function<void(const step_report&)>> step_callbacks_;
    std::vector<std::function<void(const epoch_report&)>> epoch_callbacks_;
    std::vector<std::function<void(const topology::report&)>> topology_callbacks_;
    std::unique_ptr<topology::controller<Network>> topology_;
    bool dense_gradients_ = false;  // whether the coming step forms dense gradients
    batch<input_size> inputs_;
    batch<output_size> targets_;
    std::vector<std::uint32_t> labels_;
    batch<output_size> gradient_;  // of the loss with respect to the output
    training_progress progress_;
    std::vector<std::size_t> indices_;  // the current batch's samples
    nonfinite_policy nonfinite_ = nonfinite_policy::stop;
    std::size_t steps_ = 0;
    bool stop_ = false;
};

}  // namespace neuroplastic
