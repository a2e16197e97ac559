// Something that is not a layer specification in a network's list.
// expect: is not a layer specification
// expect: layer_position<2>
#include <neuroplastic/neuroplastic.hpp>
namespace npl = neuroplastic;

int main() {
    npl::network<npl::input<784>, npl::dense<300>, npl::relu, int, npl::dense<10>> n;
    (void)n;
}
