// A network that does not start with input<N>.
// expect: first element must be input<N>
// expect: dense<784
#include <neuroplastic/neuroplastic.hpp>
namespace npl = neuroplastic;

int main() {
    npl::network<npl::dense<784>, npl::dense<10>> n;
    (void)n;
}
