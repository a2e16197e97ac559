// A network whose samples have no features.
// expect: input<N> needs at least one feature
// expect: input_width<0>
#include <neuroplastic/neuroplastic.hpp>
namespace npl = neuroplastic;

int main() {
    npl::network<npl::input<0>, npl::dense<10>> n;
    (void)n;
}
