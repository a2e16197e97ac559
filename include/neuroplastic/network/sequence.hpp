// A flat list of layer specifications bound front to back into layers. Widths are inferred at
// compile time by folding over the list (no recursive instantiation), the layers are held in one
// std::tuple, and the forward and backward passes are fold expressions over an index sequence.
// A sequence is itself a layer, so blocks that hold lists of their own can hold a sequence.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/aligned_buffer.hpp"
#include "../core/batch.hpp"
#include "../core/diagnostics.hpp"
#include "../core/layer.hpp"

namespace neuroplastic {

namespace detail {

template <class Spec>
constexpr std::size_t output_size_of(std::size_t input_size) noexcept {
    if constexpr (layer_spec<Spec>) {
        return input_size == 0 ? 0 : static_cast<std::size_t>(Spec::output_size(input_size));
    } else {
        return 0;
    }
}

}  // namespace detail

/// The layers `Specs...` applied one after the other to inputs of `InputSize` features.
template <std::size_t InputSize, class... Specs>
class sequence {
public:
    /// How many layers the sequence holds.
    static constexpr std::size_t depth = sizeof...(Specs);

    /// widths[i] is the input width of layer i; widths[depth] is the output width.
    static constexpr std::array<std::size_t, depth + 1> widths = [] {
        std::array<std::size_t, depth + 1> w{InputSize};
        std::size_t i = 0;
        ((w[i + 1] = detail::output_size_of<Specs>(w[i]), ++i), ...);
        return w;
    }();

    static constexpr std::size_t input_size = InputSize;
    static constexpr std::size_t output_size = widths[depth];

    /// Whether every element is a layer specification and every width is positive.
    static constexpr bool valid =
        InputSize > 0 &&
        (layer_spec<Specs> && ...) && std::all_of(widths.begin(), widths.end(), [](std::size_t w) {
            return w > 0;
        });

private:
    template <std::size_t... I>
    static constexpr bool check_all(std::index_sequence<I...>) {
        return (diagnostic::check_layer<diagnostic::layer_position<I>, Specs,
                                        diagnostic::input_width<widths[I]>,
                                        diagnostic::output_width<widths[I + 1]>>() &&
                ...);
    }
    static_assert(check_all(std::index_sequence_for<Specs...>{}));

    // The bound layer types, named only when every check passed, so that a wrong network stops
    // at the message of its check instead of failing again inside a layer.
    template <bool Valid, class Indices>
    struct bind {
        using type = std::tuple<>;
    };
    template <std::size_t... I>
    struct bind<true, std::index_sequence<I...>> {
        using type = std::tuple<typename Specs::template layer<widths[I]>...>;
    };

public:
    using layer_tuple = typename bind<valid, std::index_sequence_for<Specs...>>::type;

    /// Layer `I`, bound to its input width.
    template <std::size_t I>
    using layer_type = std::tuple_element_t<I, layer_tuple>;

    /// The layers' signatures in order, "dense<784, 300> relu<300> ...".
    static std::string signature() {
        std::string s;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((s += (I == 0 ? "" : " ") + layer_signature<layer_type<I>>()), ...);
        }(std::make_index_sequence<std::tuple_size_v<layer_tuple>>{});
        return "sequence<" + std::to_string(InputSize) + "> " + s;
    }

    template <std::size_t I>
    [[nodiscard]] layer_type<I>& layer() noexcept {
        return std::get<I>(layers_);
    }
    template <std::size_t I>
    [[nodiscard]] const layer_type<I>& layer() const noexcept {
        return std::get<I>(layers_);
    }

    /// Initialises layer i from `g.fork(i)`: one layer's initial weights do not depend on the
    /// sizes of the others.
    void initialize(rng& g) {
        std::apply(
            [&](auto&... l) {
                std::size_t i = 0;
                (
                    (void)[&] {
                        rng layer_rng = g.fork(i++);
                        neuroplastic::initialize(l, layer_rng);
                    }(),
                    ...);
            },
            layers_);
    }

    void forward(matrix_view<const float> x, matrix_view<float> y, const pass_context& ctx) {
        if constexpr (valid) {
            reserve(x.stride);
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (forward_layer<I>(x, y, x.samples, x.stride, ctx), ...);
            }
            (std::index_sequence_for<Specs...>{});
        }
    }

    void backward(matrix_view<const float> x, matrix_view<const float> y,
                  matrix_view<const float> dy, matrix_view<float> dx, const pass_context& ctx) {
        if constexpr (valid) {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (backward_layer<depth - 1 - I>(x, y, dy, dx, ctx), ...);
            }
            (std::index_sequence_for<Specs...>{});
        }
    }

    template <class F>
    void for_each_parameter(F&& f) {
        std::apply([&](auto&... l) { (neuroplastic::for_each_parameter(l, f), ...); }, layers_);
    }
    template <class F>
    void for_each_parameter(F&& f) const {
        std::apply([&](const auto&... l) { (neuroplastic::for_each_parameter(l, f), ...); },
                   layers_);
    }

    /// Calls `f(layer)` for every layer, front to back.
    template <class F>
    void for_each_layer(F&& f) {
        std::apply([&](auto&... l) { (f(l), ...); }, layers_);
    }
    template <class F>
    void for_each_layer(F&& f) const {
        std::apply([&](const auto&... l) { (f(l), ...); }, layers_);
    }

    /// The output of layer i < depth - 1 from the last forward pass (the last layer writes into
    /// the caller's output).
    [[nodiscard]] matrix_view<const float> activations(std::size_t i) const noexcept {
        return {outputs_[i].data(), widths[i + 1], samples_, stride_};
    }

private:
    // Grows the buffers for batches of `stride` padded samples; never shrinks them.
    void reserve(std::size_t stride) {
        if (stride > capacity_) {
            for (std::size_t i = 0; i + 1 < depth; ++i)
                outputs_[i].assign_zeros(widths[i + 1] * stride);
            for (auto& g : gradients_) g.assign_zeros(widest_hidden * stride);
            capacity_ = stride;
        }
    }

    matrix_view<float> hidden(std::size_t i) noexcept {
        return {outputs_[i].data(), widths[i + 1], samples_, stride_};
    }
    matrix_view<float> hidden_gradient(std::size_t i) noexcept {
        return {gradients_[i % 2].data(), widths[i + 1], samples_, stride_};
    }

    template <std::size_t I>
    matrix_view<const float> layer_input(matrix_view<const float> x) noexcept {
        if constexpr (I == 0) {
            return x;
        } else {
            return hidden(I - 1);
        }
    }

    template <std::size_t I, class View>
    View layer_output(View y) noexcept {
        if constexpr (I + 1 == depth) {
            return y;
        } else {
            return hidden(I);
        }
    }

    template <std::size_t I>
    void forward_layer(matrix_view<const float> x, matrix_view<float> y, std::size_t samples,
                       std::size_t stride, const pass_context& ctx) {
        if constexpr (I == 0) {
            samples_ = samples;
            stride_ = stride;
        }
        std::get<I>(layers_).forward(layer_input<I>(x), layer_output<I>(y), ctx);
    }

    // Layer I reads the gradient of its output from gradients_[I % 2] (or `dy` for the last) and
    // writes that of its input to gradients_[(I - 1) % 2] (or `dx` for the first).
    template <std::size_t I>
    void backward_layer(matrix_view<const float> x, matrix_view<const float> y,
                        matrix_view<const float> dy, matrix_view<float> dx,
                        const pass_context& ctx) {
        matrix_view<const float> d_out = dy;
        if constexpr (I + 1 < depth) d_out = hidden_gradient(I);
        matrix_view<float> d_in = dx;
        if constexpr (I > 0) d_in = hidden_gradient(I - 1);
        std::get<I>(layers_).backward(layer_input<I>(x), layer_output<I>(y), d_out, d_in, ctx);
    }

    static constexpr std::size_t widest_hidden = [] {
        std::size_t w = 0;
        for (std::size_t i = 1; i < depth; ++i) w = std::max(w, widths[i]);
        return w;
    }();

    layer_tuple layers_;
    std::array<aligned_buffer<float>, depth == 0 ? 0 : depth - 1> outputs_;
    std::array<aligned_buffer<float>, 2> gradients_;
    std::size_t capacity_ = 0;
    std::size_t samples_ = 0;
    std::size_t stride_ = 0;
};

}  // namespace neuroplastic
