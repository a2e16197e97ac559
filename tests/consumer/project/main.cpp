// A program outside the project that uses the installed (or added) library: it trains a small
// network for one epoch, which needs every part of the library to have come through.
#include <cmath>
#include <cstdio>

#include <neuroplastic/neuroplastic.hpp>

#if defined(NEUROPLASTIC_EXPECT_XSIMD_MAJOR) && !NEUROPLASTIC_SCALAR
static_assert(XSIMD_VERSION_MAJOR == NEUROPLASTIC_EXPECT_XSIMD_MAJOR,
              "the consumer was compiled against another xsimd than the one CMake found");
#endif

namespace npl = neuroplastic;

using net = npl::network<npl::input<16>, npl::sparse<12>, npl::relu, npl::dense<3>>;

int main() {
    const npl::dataset_split data = npl::make_synthetic(16, 3, 256, 64, /*seed=*/3);

    net model(/*seed=*/1);
    npl::trainer trainer(model, npl::softmax_cross_entropy<>{}, npl::sgd{.momentum = 0.9f},
                         npl::constant_schedule{.base_rate = 0.05f});
    const auto history = trainer.fit(data.train, &data.test, {.epochs = 1, .batch_size = 32});

    const double loss = history.epochs.back().train.loss;
    std::printf("consumer: %s kernels, one epoch, training loss %.4f\n", npl::simd::arch_name(),
                loss);
    return std::isfinite(loss) ? 0 : 1;
}
