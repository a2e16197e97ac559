// What a layer is. Users write layer *specifications* (`dense<300>`, `relu`): types that know
// their output width given an input width, and that name the layer type implementing them for
// that input width. A network binds each specification to the width before it, front to back.
//
//   struct my_spec {
//       static constexpr std::size_t output_size(std::size_t input_size);
//       template <std::size_t InputSize> class layer;  // satisfies neuroplastic::layer
//   };
//
// A layer owns its parameters and computes, on feature-major views (core/batch.hpp), its output
// from its input and, going back, the gradients of its parameters and of its input.
#pragma once

#include <concepts>
#include <cstddef>
#include <string>
#include <type_traits>

#include "batch.hpp"
#include "parameter.hpp"
#include "random.hpp"
#include "thread_pool.hpp"

namespace neuroplastic {

/// What a forward or backward pass may use besides its operands.
struct pass_context {
    /// Threads to split large products over; null runs everything on the calling thread.
    thread_pool* pool = nullptr;
    /// False for inference: a layer may then skip what only backward needs.
    bool training = true;
    /// Asks plastic layers to also form the dense gradient of all their possible connections in
    /// this backward pass (the topology engine reads it on update steps; ordinary steps never
    /// form it).
    bool dense_gradients = false;
};

/// A layer specification, as written in a network's list.
template <class S>
concept layer_spec = requires(std::size_t width) {
    { S::output_size(width) } -> std::convertible_to<std::size_t>;
};

/// A layer bound to its input width.
///
/// - `forward(x, y, ctx)` writes y (output_size rows) from x (input_size rows).
/// - `backward(x, y, dy, dx, ctx)` receives the input and output of the last forward and the loss
///   gradient dy with respect to y; it stores its parameters' gradients and, unless `dx` is empty
///   (the first layer), writes the gradient with respect to x into dx. dy's padding is zero and
///   dx's padding must be left zero.
template <class L>
concept layer = requires(L& l, matrix_view<const float> in, matrix_view<float> out,
                         const pass_context& ctx) {
    { L::input_size } -> std::convertible_to<std::size_t>;
    { L::output_size } -> std::convertible_to<std::size_t>;
    l.forward(in, out, ctx);
    l.backward(in, in, in, out, ctx);
};

/// Calls `f(parameter&)` for every trainable tensor of `l`; layers without any need not say so.
template <class L, class F>
void for_each_parameter(L& l, F&& f) {
    if constexpr (requires { l.for_each_parameter(f); }) l.for_each_parameter(f);
}

template <class L, class F>
void for_each_parameter(const L& l, F&& f) {
    if constexpr (requires { l.for_each_parameter(f); }) l.for_each_parameter(f);
}

/// A text that names a layer type and its shape, "dense<784, 300>" say: the unit of a network's
/// signature, which checkpoints compare. Layers name themselves with `static std::string
/// signature()`.
template <class L>
std::string layer_signature() {
    if constexpr (requires { L::signature(); }) {
        return L::signature();
    } else {
        return "layer<" + std::to_string(L::input_size) + ", " + std::to_string(L::output_size) +
               ">";
    }
}

/// Sets the initial parameters of `l` from `generator`; layers without parameters need not say so.
template <class L>
void initialize(L& l, rng& generator) {
    if constexpr (requires { l.initialize(generator); }) l.initialize(generator);
}

}  // namespace neuroplastic
