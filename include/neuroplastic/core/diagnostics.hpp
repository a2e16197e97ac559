// Compile-time checks of a network's shape, each a static_assert whose message says what is wrong
// and whose enclosing template names where and which sizes: the compiler prints, for example,
//
//   In instantiation of 'constexpr bool neuroplastic::diagnostic::check_layer() [with Position =
//       neuroplastic::diagnostic::layer_position<1>; Spec = neuroplastic::dense<0>; InputWidth =
//       neuroplastic::diagnostic::input_width<300>; ...]'
//   error: static assertion failed: neuroplastic: a layer has zero width ...
//
// Positions count the layers after input<N>, from 0. tests/compile_fail proves each message.
#pragma once

#include <cstddef>
#include <type_traits>

#include "layer.hpp"

namespace neuroplastic::diagnostic {

// Tags that carry a number into the template arguments the compiler prints.
template <std::size_t N>
struct layer_position : std::integral_constant<std::size_t, N> {};
template <std::size_t N>
struct input_width : std::integral_constant<std::size_t, N> {};
template <std::size_t N>
struct output_width : std::integral_constant<std::size_t, N> {};
template <std::size_t N>
struct expected_width : std::integral_constant<std::size_t, N> {};
template <std::size_t N>
struct found_width : std::integral_constant<std::size_t, N> {};
template <std::size_t N>
struct network_output_width : std::integral_constant<std::size_t, N> {};
template <std::size_t N>
struct target_width : std::integral_constant<std::size_t, N> {};

template <class T>
inline constexpr bool always_false = false;

// Each check is a constexpr function template: its static_assert fires once, with the template
// arguments named by the compiler, and the call still yields a constant, so nothing fails after.

/// Checks the layer specification `Spec` at `Position`, bound to `InputWidth`, giving
/// `OutputWidth`. A layer whose input is already empty is not reported again.
template <class Position, class Spec, class InputWidth, class OutputWidth>
constexpr bool check_layer() {
    static_assert(layer_spec<Spec>,
                  "neuroplastic: this element of the network is not a layer specification (a type "
                  "with `static std::size_t output_size(std::size_t)` and a member template "
                  "`layer<InputSize>`); its position and type are named above");
    static_assert(!layer_spec<Spec> || InputWidth::value == 0 || OutputWidth::value > 0,
                  "neuroplastic: a layer has zero width; every layer needs at least one neuron "
                  "(its position, counted from 0 after input<>, and its input and output widths "
                  "are named above)");
    return true;
}

/// Checks the width of the network's input.
template <class Width>
constexpr bool check_input() {
    static_assert(Width::value > 0,
                  "neuroplastic: a network's input<N> needs at least one feature");
    return true;
}

/// Checks that a batch handed to a network (or a block) is as wide as its input.
template <class Expected, class Found>
constexpr bool check_batch_width() {
    static_assert(Expected::value == Found::value,
                  "neuroplastic: the input batch has the wrong number of features for this "
                  "network (the expected and found widths are named above)");
    return true;
}

/// Checks that a loss fits the network's output.
template <class Loss, class NetworkOutput>
constexpr bool check_loss() {
    static_assert(Loss::template fits<NetworkOutput::value>,
                  "neuroplastic: the loss is declared for a different number of outputs than the "
                  "network has (the loss type, with its width, and the network's output width "
                  "are named above)");
    return true;
}

/// Checks that regression targets are as wide as the output.
template <class Outputs, class Targets>
constexpr bool check_targets() {
    static_assert(Outputs::value == Targets::value,
                  "neuroplastic: mean_squared_error needs targets as wide as the network's "
                  "output (the two widths are named above)");
    return true;
}

}  // namespace neuroplastic::diagnostic
