// Regression targets of 12 values for a network with 10 outputs.
// expect: needs targets as wide as the network's output
// expect: output_width<10>
// expect: target_width<12>
#include <neuroplastic/neuroplastic.hpp>
namespace npl = neuroplastic;

int main() {
    npl::network<npl::input<4>, npl::dense<10>> n;
    npl::batch<4> x(2);
    npl::batch<12> targets(2);
    npl::mean_squared_error<> loss;
    return static_cast<int>(loss.forward(n.forward(x), targets));
}
