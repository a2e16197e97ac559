// A layer of zero neurons, in the middle of a network.
// expect: a layer has zero width
// expect: layer_position<1>
// expect: dense<0
// expect: input_width<300>
#include <neuroplastic/neuroplastic.hpp>
namespace npl = neuroplastic;

int main() {
    npl::network<npl::input<784>, npl::dense<300>, npl::dense<0>, npl::relu, npl::dense<10>> n;
    (void)n;
}
