// The smallest complete program: a network declared as a type, trained on a synthetic data set,
// evaluated. It is the code the README shows.
#include <cstdio>

#include <neuroplastic/data/synthetic.hpp>
#include <neuroplastic/neuroplastic.hpp>
#include <neuroplastic/training/trainer.hpp>

namespace npl = neuroplastic;

using net = npl::network<npl::input<64>, npl::dense<32>, npl::relu, npl::dense<4>>;
static_assert(net::input_size == 64 && net::output_size == 4);

int main() {
    const npl::dataset_split data = npl::make_synthetic(64, 4, 2000, 500, /*seed=*/7);

    net model(/*seed=*/1);
    npl::trainer trainer(model, npl::softmax_cross_entropy<>{}, npl::sgd{.momentum = 0.9f},
                         npl::cosine_schedule{.base_rate = 0.05f});
    const auto history = trainer.fit(data.train, &data.test, {.epochs = 5, .batch_size = 64});

    const double accuracy = history.epochs.back().test.accuracy;
    std::printf("test accuracy %.3f with %zu parameters\n", accuracy, model.parameter_count());
    return accuracy > 0.5 ? 0 : 1;
}
