// Compiles: the control for the snippets that must not.
#include <neuroplastic/neuroplastic.hpp>
namespace npl = neuroplastic;

int main() {
    using net = npl::network<npl::input<784>, npl::dense<300>, npl::relu, npl::dense<10>>;
    net n(1);
    npl::batch<784> x(2);
    auto& y = n.forward(x);
    npl::mean_squared_error<> loss;
    npl::batch<10> t(2);
    return static_cast<int>(loss.forward(y, t));
}
