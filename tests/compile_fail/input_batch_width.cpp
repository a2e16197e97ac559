// A batch of 785 features handed to a network that reads 784.
// expect: the input batch has the wrong number of features
// expect: expected_width<784>
// expect: found_width<785>
#include <neuroplastic/neuroplastic.hpp>
namespace npl = neuroplastic;

int main() {
    npl::network<npl::input<784>, npl::dense<10>> n;
    npl::batch<785> x(4);
    n.forward(x);
}
