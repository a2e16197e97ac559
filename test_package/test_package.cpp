// The smallest use of the package: a network is declared and built, its size checked.
#include <cstdio>

#include <neuroplastic/neuroplastic.hpp>

namespace npl = neuroplastic;

using net = npl::network<npl::input<8>, npl::dense<4>, npl::relu, npl::dense<2>>;

int main() {
    net model(/*seed=*/1);
    std::printf("neuroplastic: a network of %zu parameters, %s kernels\n", model.parameter_count(),
                npl::simd::arch_name());
    return model.parameter_count() == 8 * 4 + 4 + 4 * 2 + 2 ? 0 : 1;
}
