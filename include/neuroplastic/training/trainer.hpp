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
#include "../topology/controller.hpp"
#include "optimizer.hpp"
#include "schedule.hpp"

namespace neuroplastic {

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

    /// Trains for `options.epochs` epochs over `train`, evaluating `test` (if not null) after each.
    training_history fit(const dataset& train, const dataset* test, const fit_options& options) {
        check_data(train);
        if (test != nullptr) check_data(*test);
        if (options.batch_size == 0) throw argument_error("fit: the batch size must be positive");
        use_threads(options.threads);

        const std::size_t n = train.size();
        const std::size_t batches = (n + options.batch_size - 1) / options.batch_size;
        const std::size_t total = batches * options.epochs;
        rng shuffler(options.seed);
        std::vector<std::size_t> order(n);
        std::iota(order.begin(), order.end(), std::size_t{0});

        training_history history;
        stop_ = false;
        for (std::size_t epoch = 1; epoch <= options.epochs && !stop_; ++epoch) {
            shuffler.shuffle(std::span<std::size_t>(order));
            epoch_report report;
            report.epoch = epoch;
            report.epochs = options.epochs;
            double loss_sum = 0.0;
            std::size_t hits = 0, seen = 0;
            const auto start = clock::now();

            for (std::size_t b = 0; b < batches && !stop_; ++b) {
                const std::size_t first = b * options.batch_size;
                const std::span<const std::size_t> indices(order.data() + first,
                                                           std::min(options.batch_size, n - first));
                const float rate = schedule_.rate({steps_, total, batches});
                dense_gradients_ =
                    topology_ && topology_->wants_dense_gradients(steps_ + 1, total, batches);
                const float loss = train_batch(train, indices, rate, hits);
                if (topology_) {
                    if (auto r = topology_->after_step(steps_, total, batches, epoch)) {
                        for (auto& f : topology_callbacks_) f(*r);
                    }
                }
                loss_sum += static_cast<double>(loss) * static_cast<double>(indices.size());
                seen += indices.size();
                report.learning_rate = rate;
                if (!step_callbacks_.empty()) {
                    const step_report s{epoch,  options.epochs, b + 1, batches,
                                        steps_, indices.size(), loss,  rate};
                    for (auto& f : step_callbacks_) f(s);
                }
            }

            report.seconds = seconds_since(start);
            history.train_seconds += report.seconds;
            report.step = steps_;
            report.train.samples = seen;
            report.train.loss = seen == 0 ? report.train.loss : loss_sum / double(seen);
            if (Loss::uses_labels && seen > 0) report.train.accuracy = double(hits) / double(seen);
            if (test != nullptr) {
                const auto eval_start = clock::now();
                report.test = evaluate(*test, options.evaluation_batch);
                report.evaluation_seconds = seconds_since(eval_start);
            }
            history.epochs.push_back(report);
            for (auto& f : epoch_callbacks_) f(report);
            if (topology_) {
                const topology::report r = topology_->epoch_end(steps_, epoch);
                for (auto& f : topology_callbacks_) f(r);
            }
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
    float step(const batch<input_size>& x, std::span<const std::uint32_t> labels,
               float rate) requires(Loss::uses_labels) {
        const pass_context ctx{pool_.get(), true, dense_gradients_};
        const auto& y = net_->forward(x, ctx);
        if (gradient_.samples() != y.samples()) gradient_.resize(y.samples());
        const float loss = loss_.forward_backward(y.view(), labels, gradient_.view());
        apply(x, rate, ctx);
        return loss;
    }

    /// One optimiser step on a batch with target values; returns the batch's mean loss before it.
    float step(const batch<input_size>& x, const batch<output_size>& targets,
               float rate) requires(!Loss::uses_labels) {
        const pass_context ctx{pool_.get(), true, dense_gradients_};
        const auto& y = net_->forward(x, ctx);
        if (gradient_.samples() != y.samples()) gradient_.resize(y.samples());
        const float loss = loss_.forward_backward(y.view(), targets.view(), gradient_.view());
        apply(x, rate, ctx);
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
            const float loss = step(inputs_, labels_, rate);
            hits += Loss::correct(net_->output().view(), labels_);
            return loss;
        } else {
            data.gather_targets(indices, targets_);
            return step(inputs_, targets_, rate);
        }
    }

    void apply(const batch<input_size>& x, float rate, const pass_context& ctx) {
        net_->backward(x, gradient_.view(), ctx);
        optimizer_.begin_step();
        net_->for_each_parameter([&](parameter& p) { optimizer_.update(p, rate); });
        ++steps_;
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
    std::size_t steps_ = 0;
    bool stop_ = false;
};

}  // namespace neuroplastic
