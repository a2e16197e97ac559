// Finite-difference checks of analytic gradients, public so that users can check layers and
// losses of their own the way the library checks its own.
//
// A layer is checked through the scalar L(x) = sum over outputs of r * layer(x), with x and r
// drawn at random: backward(dy = r) must then give dL/dx and dL/dparameters. Each checked entry v
// is compared with the central difference (L(v + h) - L(v - h)) / 2h. An entry where the
// differences at h and h/2 disagree sits on a kink (a ReLU at 0, say) and is skipped and counted,
// not failed: the check tests derivatives, not the choice of a subgradient.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "../core/aligned_buffer.hpp"
#include "../core/batch.hpp"
#include "../core/layer.hpp"
#include "../core/random.hpp"

namespace neuroplastic {

/// How a gradient check runs.
struct gradient_check_options {
    /// Samples in the random batch.
    std::size_t samples = 3;
    /// The finite-difference step h.
    double step = 1e-2;
    /// An entry fails when |analytic - numeric| / max(floor, |analytic|, |numeric|) exceeds this.
    double tolerance = 1e-2;
    /// Gradients below this size are compared absolutely; float rounding makes the relative error
    /// of tiny differences meaningless.
    double floor = 0.1;
    /// At most this many entries of each tensor (the input, each parameter) are checked, chosen at
    /// random; smaller tensors are checked whole.
    std::size_t entries = 64;
    /// Spread of the random inputs, N(0, input_scale^2).
    float input_scale = 1.0f;
    std::uint64_t seed = 1;
};

/// The outcome of a gradient check.
struct gradient_check_result {
    /// The largest error found (see gradient_check_options::tolerance).
    double max_error = 0.0;
    /// Which entry had it, with both values, e.g. "weights[17]: analytic 0.25, numeric 0.2498".
    std::string worst;
    std::size_t checked = 0;
    /// Entries skipped because they sit on a kink.
    std::size_t skipped = 0;
    bool passed = true;
};

namespace detail {

// Compares `analytic` with the central differences of `loss_at` around each chosen entry of
// `values`, and folds the outcome into `result`.
inline void check_entries(std::string_view name, std::span<float> values,
                          std::span<const float> analytic, const std::function<double()>& loss_at,
                          const gradient_check_options& options, rng& g,
                          gradient_check_result& result) {
    std::vector<std::size_t> chosen(values.size());
    for (std::size_t i = 0; i < chosen.size(); ++i) chosen[i] = i;
    if (chosen.size() > options.entries) {
        g.shuffle(std::span<std::size_t>(chosen));
        chosen.resize(options.entries);
    }
    const auto difference = [&](std::size_t i, double h) {
        const float original = values[i];
        values[i] = static_cast<float>(original + h);
        const double up = loss_at();
        values[i] = static_cast<float>(original - h);
        const double down = loss_at();
        values[i] = original;
        // The step actually taken in float, not the one asked for.
        const double taken =
            double(static_cast<float>(original + h)) - double(static_cast<float>(original - h));
        return (up - down) / taken;
    };
    for (const std::size_t i : chosen) {
        const double numeric = difference(i, options.step);
        const double finer = difference(i, options.step / 2);
        const double a = analytic[i];
        const double scale = std::max({options.floor, std::abs(a), std::abs(numeric)});
        if (std::abs(numeric - finer) > options.tolerance * scale) {
            ++result.skipped;
            continue;
        }
        ++result.checked;
        const double error = std::abs(a - numeric) / scale;
        if (error > result.max_error) {
            result.max_error = error;
            result.worst = std::string(name) + "[" + std::to_string(i) + "]: analytic " +
                           std::to_string(a) + ", numeric " + std::to_string(numeric);
        }
    }
    result.passed = result.max_error <= options.tolerance;
}

}  // namespace detail

/// Checks the input and parameter gradients of a layer against finite differences.
template <layer Layer>
gradient_check_result check_layer_gradients(Layer& l, const gradient_check_options& options = {}) {
    constexpr std::size_t in = Layer::input_size, out = Layer::output_size;
    rng g(options.seed);
    batch<in> x(options.samples);
    batch<out> y(options.samples), r(options.samples);
    batch<in> dx(options.samples);
    for (std::size_t f = 0; f < in; ++f) {
        for (std::size_t s = 0; s < options.samples; ++s)
            x(f, s) = g.normal(0.0f, options.input_scale);
    }
    for (std::size_t f = 0; f < out; ++f) {
        for (std::size_t s = 0; s < options.samples; ++s) r(f, s) = g.uniform(-1.0f, 1.0f);
    }

    const pass_context ctx{};
    l.forward(x.view(), y.view(), ctx);
    l.backward(x.view(), y.view(), r.view(), dx.view(), ctx);

    const auto loss_at = [&] {
        l.forward(x.view(), y.view(), ctx);
        double sum = 0.0;
        for (std::size_t f = 0; f < out; ++f) {
            for (std::size_t s = 0; s < options.samples; ++s) sum += double(r(f, s)) * y(f, s);
        }
        return sum;
    };

    gradient_check_result result;
    // The input is checked through a compact copy of its real samples, so no padding entry is
    // ever chosen.
    const std::size_t n = options.samples;
    std::vector<float> compact(in * n), analytic(in * n);
    for (std::size_t f = 0; f < in; ++f) {
        for (std::size_t s = 0; s < n; ++s) {
            compact[f * n + s] = x(f, s);
            analytic[f * n + s] = dx(f, s);
        }
    }
    const auto loss_from_compact = [&] {
        for (std::size_t f = 0; f < in; ++f) {
            for (std::size_t s = 0; s < n; ++s) x(f, s) = compact[f * n + s];
        }
        return loss_at();
    };
    detail::check_entries("input", compact, analytic, loss_from_compact, options, g, result);
    loss_from_compact();  // leaves x as it was drawn

    for_each_parameter(l, [&](parameter& p) {
        const std::vector<float> gradient(p.gradient().begin(), p.gradient().end());
        detail::check_entries(p.name(), p.value(), gradient, loss_at, options, g, result);
    });
    result.passed = result.max_error <= options.tolerance;
    return result;
}

/// Checks the gradient a loss writes for its network outputs against finite differences of the
/// loss itself. `targets` is what the loss takes besides the outputs (labels or a target batch).
template <std::size_t Outputs, class Loss, class Targets>
gradient_check_result check_loss_gradient(Loss& loss, batch<Outputs>& outputs,
                                          const Targets& targets,
                                          const gradient_check_options& options = {}) {
    rng g(options.seed);
    batch<Outputs> gradient(outputs.samples());
    loss.forward_backward(outputs.view(), targets, gradient.view());
    const std::size_t n = outputs.samples();
    std::vector<float> compact(Outputs * n), analytic(Outputs * n);
    for (std::size_t f = 0; f < Outputs; ++f) {
        for (std::size_t s = 0; s < n; ++s) {
            compact[f * n + s] = outputs(f, s);
            analytic[f * n + s] = gradient(f, s);
        }
    }
    const auto loss_at = [&] {
        for (std::size_t f = 0; f < Outputs; ++f) {
            for (std::size_t s = 0; s < n; ++s) outputs(f, s) = compact[f * n + s];
        }
        return double(loss.forward(outputs.view(), targets));
    };
    gradient_check_result result;
    detail::check_entries("output", compact, analytic, loss_at, options, g, result);
    loss_at();
    return result;
}

/// Checks every parameter gradient of a whole network trained with `loss` on `x` and `targets`
/// (class labels or a target batch) against finite differences of the loss.
template <class Network, class Loss, class Targets>
gradient_check_result check_network_gradients(Network& net, Loss& loss,
                                              const batch<Network::input_size>& x,
                                              const Targets& targets,
                                              const gradient_check_options& options = {}) {
    rng g(options.seed);
    const auto& y = net.forward(x);
    batch<Network::output_size> gradient(x.samples());
    loss.forward_backward(y.view(), targets, gradient.view());
    net.backward(x, gradient.view());
    const auto loss_at = [&] { return double(loss.forward(net.forward(x).view(), targets)); };
    gradient_check_result result;
    std::size_t index = 0;
    net.for_each_parameter([&](parameter& p) {
        const std::vector<float> analytic(p.gradient().begin(), p.gradient().end());
        const std::string name =
            "parameter " + std::to_string(index++) + " (" + std::string(p.name()) + ")";
        detail::check_entries(name, p.value(), analytic, loss_at, options, g, result);
    });
    result.passed = result.max_error <= options.tolerance;
    return result;
}

}  // namespace neuroplastic
