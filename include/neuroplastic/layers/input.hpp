// The first element of every network: the width of the samples it reads.
#pragma once

#include <cstddef>

namespace neuroplastic {

/// A network's input of `Width` features per sample.
template <std::size_t Width>
struct input {
    static constexpr std::size_t size = Width;
};

}  // namespace neuroplastic
