// A network: input<N> followed by a flat list of layer specifications,
//
//   using lenet = network<input<784>, dense<300>, relu, dense<100>, relu, dense<10>>;
//
// with every width inferred, and checked, at compile time. The network owns its layers and the
// activations of the last forward pass, which its backward pass reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "../core/batch.hpp"
#include "../core/diagnostics.hpp"
#include "../core/random.hpp"
#include "../layers/input.hpp"
#include "sequence.hpp"

namespace neuroplastic {

template <class Input, class... Specs>
class network {
    static_assert(diagnostic::always_false<Input>,
                  "neuroplastic: a network's first element must be input<N>, the width of its "
                  "samples (the type found there is named above)");
};

template <std::size_t InputSize, class... Specs>
class network<input<InputSize>, Specs...> {
    static_assert(diagnostic::check_input<diagnostic::input_width<InputSize>>());
    static_assert(sizeof...(Specs) > 0,
                  "neuroplastic: a network needs at least one layer after input<N>");

    using body_type = sequence<InputSize, Specs...>;

public:
    static constexpr std::size_t input_size = InputSize;
    static constexpr std::size_t output_size = body_type::output_size;
    /// How many layers follow input<N>.
    static constexpr std::size_t depth = body_type::depth;

    /// The batch type of the output (of width 1 only for a network that failed its checks).
    using output_batch = batch<(output_size > 0 ? output_size : 1)>;

    /// Layer `I` (counted from 0 after input<N>), bound to its input width.
    template <std::size_t I>
    using layer_type = typename body_type::template layer_type<I>;

    /// The network's static type as text, for checkpoints: "network<input<784>> dense<784, 300>
    /// relu<300> ...".
    static std::string signature() {
        std::string s = body_type::signature();
        return "network<input<" + std::to_string(InputSize) + ">>" + s.substr(s.find('>') + 1);
    }

    /// A network with weights drawn from a generator seeded with `seed`.
    explicit network(std::uint64_t seed = 0) { initialize(seed); }

    /// Draws every parameter again, from a generator seeded with `seed`.
    void initialize(std::uint64_t seed) {
        rng g(seed);
        body_.initialize(g);
    }

    /// Computes the output for a batch and keeps the activations for `backward`. The batch must
    /// stay alive and unchanged until `backward` has run.
    template <std::size_t Width>
    const output_batch& forward(const batch<Width>& x, const pass_context& ctx = {}) {
        static_assert(diagnostic::check_batch_width<diagnostic::expected_width<InputSize>,
                                                    diagnostic::found_width<Width>>());
        if (output_.samples() != x.samples()) output_.resize(x.samples());
        body_.forward(x.view(), output_.view(), ctx);
        return output_;
    }

    /// Computes every parameter's gradient from `output_gradient`, the loss gradient with respect
    /// to the output of the last forward pass on `x`. Its padding must be zero.
    template <std::size_t Width>
    void backward(const batch<Width>& x, matrix_view<const float> output_gradient,
                  const pass_context& ctx = {}) {
        static_assert(diagnostic::check_batch_width<diagnostic::expected_width<InputSize>,
                                                    diagnostic::found_width<Width>>());
        body_.backward(x.view(), output_.view(), output_gradient, matrix_view<float>{}, ctx);
    }

    /// The output of the last forward pass.
    [[nodiscard]] const output_batch& output() const noexcept { return output_; }

    template <std::size_t I>
    [[nodiscard]] layer_type<I>& layer() noexcept {
        return body_.template layer<I>();
    }
    template <std::size_t I>
    [[nodiscard]] const layer_type<I>& layer() const noexcept {
        return body_.template layer<I>();
    }

    /// Calls `f(parameter&)` for every trainable tensor, front to back.
    template <class F>
    void for_each_parameter(F&& f) {
        body_.for_each_parameter(std::forward<F>(f));
    }
    template <class F>
    void for_each_parameter(F&& f) const {
        body_.for_each_parameter(std::forward<F>(f));
    }

    /// Calls `f(layer)` for every layer, front to back.
    template <class F>
    void for_each_layer(F&& f) {
        body_.for_each_layer(std::forward<F>(f));
    }
    template <class F>
    void for_each_layer(F&& f) const {
        body_.for_each_layer(std::forward<F>(f));
    }

    /// The number of trainable values.
    [[nodiscard]] std::size_t parameter_count() const {
        std::size_t n = 0;
        for_each_parameter([&](const parameter& p) { n += p.size(); });
        return n;
    }

    /// The layers as one sequence (what blocks and tools that walk the layers use).
    [[nodiscard]] body_type& body() noexcept { return body_; }
    [[nodiscard]] const body_type& body() const noexcept { return body_; }

private:
    body_type body_;
    output_batch output_;
};

}  // namespace neuroplastic
