// The small network and trainer the checkpoint fuzz target loads into, and that make_seeds
// writes the seed corpus from: sparse and dense layers, Adam (whose state has two buffers and a
// step count), and a RigL policy.
#pragma once

#include <neuroplastic/neuroplastic.hpp>

namespace fuzz {

namespace npl = neuroplastic;

using network = npl::network<npl::input<6>, npl::sparse<5>, npl::relu, npl::dense<3>>;

inline auto make_trainer(network& net) {
    npl::trainer t(net, npl::softmax_cross_entropy<>{}, npl::adam{},
                   npl::constant_schedule{.base_rate = 0.01f});
    t.use_topology(npl::topology::rigl{.density = 0.5, .update_interval = 2, .end = 1.0});
    return t;
}

}  // namespace fuzz
