#include <neuroplastic/core/aligned_buffer.hpp>
#include <neuroplastic/core/batch.hpp>
#include <neuroplastic/core/random.hpp>
#include <neuroplastic/core/thread_pool.hpp>
#include <neuroplastic/kernels/gemm.hpp>
#include <neuroplastic/kernels/reference.hpp>
#include <neuroplastic/kernels/simd.hpp>
#include <neuroplastic/kernels/sparse.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

#include "catch.hpp"
#include "error_message.hpp"

namespace npl = neuroplastic;
namespace kernels = neuroplastic::kernels;

namespace {

constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();

// A random sparse layer owning its index arrays: rows placed in the slot array in a random order,
// each followed by random slack whose weights are NaN (so reading one shows), and the transposed
// index built from the rows.
struct random_layer {
    std::size_t rows = 0, cols = 0;
    std::vector<std::uint32_t> row_begin, row_count, column;
    std::vector<std::uint32_t> col_begin, entry_row, entry_slot;
    std::vector<float> weights, bias;
    std::size_t live = 0;

    random_layer(std::size_t outputs, std::size_t inputs, double density, npl::rng& g)
        : rows(outputs), cols(inputs), row_begin(outputs), row_count(outputs), bias(outputs) {
        // Below full density, one row and one column are kept empty on purpose.
        const bool force_empty = density < 1.0;
        const std::size_t empty_row = force_empty && rows >= 3 ? rows / 2 : rows;
        const std::size_t empty_col = force_empty && cols >= 3 ? cols / 3 : cols;

        std::vector<std::size_t> order(rows);
        std::iota(order.begin(), order.end(), std::size_t{0});
        g.shuffle(std::span<std::size_t>(order));
        for (std::size_t o : order) {
            row_begin[o] = static_cast<std::uint32_t>(column.size());
            for (std::size_t i = 0; i < cols; ++i) {
                if (o == empty_row || i == empty_col || !(g.uniform() < density)) continue;
                column.push_back(static_cast<std::uint32_t>(i));
                weights.push_back(g.uniform(-1.0f, 1.0f));
            }
            row_count[o] = static_cast<std::uint32_t>(column.size() - row_begin[o]);
            live += row_count[o];
            for (std::uint64_t slack = g.below(4); slack > 0; --slack) {
                column.push_back(static_cast<std::uint32_t>(g.below(cols)));
                weights.push_back(not_a_number);
            }
        }
        for (float& b : bias) b = g.uniform(-1.0f, 1.0f);

        col_begin.assign(cols + 1, 0);
        for (std::size_t o = 0; o < rows; ++o) {
            for (std::size_t s = row_begin[o]; s < row_begin[o] + row_count[o]; ++s) {
                ++col_begin[column[s] + 1];
            }
        }
        for (std::size_t i = 0; i < cols; ++i) col_begin[i + 1] += col_begin[i];
        entry_row.resize(live);
        entry_slot.resize(live);
        std::vector<std::uint32_t> next(col_begin.begin(), col_begin.end() - 1);
        for (std::size_t o = 0; o < rows; ++o) {
            for (std::size_t s = row_begin[o]; s < row_begin[o] + row_count[o]; ++s) {
                const std::uint32_t e = next[column[s]]++;
                entry_row[e] = static_cast<std::uint32_t>(o);
                entry_slot[e] = static_cast<std::uint32_t>(s);
            }
        }
    }

    [[nodiscard]] kernels::sparse_rows by_rows() const noexcept {
        return {rows, cols, row_begin.data(), row_count.data(), column.data()};
    }
    [[nodiscard]] kernels::sparse_columns by_columns() const noexcept {
        return {rows, cols, col_begin.data(), entry_row.data(), entry_slot.data()};
    }

    // The dense rows x cols weight matrix with zeros where there is no connection.
    [[nodiscard]] std::vector<float> dense() const {
        std::vector<float> w(rows * cols, 0.0f);
        for (std::size_t o = 0; o < rows; ++o) {
            for (std::size_t s = row_begin[o]; s < row_begin[o] + row_count[o]; ++s) {
                w[o * cols + column[s]] = weights[s];
            }
        }
        return w;
    }
};

// Feature-major values in an aligned buffer, viewed with a chosen stride.
struct block {
    npl::aligned_buffer<float> values;
    npl::matrix_view<float> view;

    block(std::size_t rows, std::size_t samples, std::size_t stride)
        : values(std::max<std::size_t>(rows * stride, 1)),
          view{values.data(), rows, samples, stride} {}

    // Samples uniform in [-1, 1); the padding random too, or zero (as for a gradient).
    void randomize(npl::rng& g, bool zero_padding) {
        for (std::size_t r = 0; r < view.rows; ++r) {
            for (std::size_t j = 0; j < view.stride; ++j) {
                view(r, j) = j < view.samples || !zero_padding ? g.uniform(-1.0f, 1.0f) : 0.0f;
            }
        }
    }

    // |values|, for the magnitude of the sums that bounds the rounding error.
    [[nodiscard]] block absolute() const {
        block a(view.rows, view.samples, view.stride);
        for (std::size_t k = 0; k < values.size(); ++k) a.values[k] = std::fabs(values[k]);
        return a;
    }
};

std::vector<float> absolute(const std::vector<float>& v) {
    std::vector<float> a(v.size());
    for (std::size_t k = 0; k < v.size(); ++k) a[k] = std::fabs(v[k]);
    return a;
}

// A float sum of n terms, each rounded once, is within n * 2^-24 of the sum of the magnitudes of
// its terms (the bound for recursive summation). A wrong index changes a sum by a whole term, far
// more than that.
bool close(float got, double want, double magnitude, std::size_t terms) {
    return std::fabs(double(got) - want) <= double(terms + 1) * 0x1.0p-24 * magnitude;
}

bool same_bits(const float* a, const float* b, std::size_t n) {
    return n == 0 || std::memcmp(a, b, n * sizeof(float)) == 0;  // memcmp of null is undefined
}

void check_layer(std::size_t outputs, std::size_t inputs, std::size_t samples, double density,
                 std::size_t extra_stride, npl::thread_pool& pool2, npl::thread_pool& pool3) {
    npl::rng g(outputs * 1000003 + inputs * 1009 + samples * 31 +
               static_cast<std::size_t>(density * 1000) + extra_stride);
    const random_layer layer(outputs, inputs, density, g);
    const auto rows = layer.by_rows();
    const auto columns = layer.by_columns();
    const std::size_t stride = npl::padded_samples(samples) + extra_stride;
    const std::size_t terms = std::max({inputs, outputs, stride}) + 1;
    INFO("outputs=" << outputs << " inputs=" << inputs << " samples=" << samples
                    << " density=" << density << " stride=" << stride << " live=" << layer.live);

    block x(inputs, samples, stride), dy(outputs, samples, stride);
    x.randomize(g, false);  // forward values in the padding are finite, not zero
    dy.randomize(g, true);  // a gradient's padding is zero
    const block x_abs = x.absolute(), dy_abs = dy.absolute();
    const std::vector<float> weights_abs = absolute(layer.weights), bias_abs = absolute(layer.bias);
    const std::vector<float> dense = layer.dense();

    // Forward, every padded sample: against the reference and against the dense product.
    block y(outputs, samples, stride), y_reference(outputs, samples, stride),
        y_dense(outputs, samples, stride), y_magnitude(outputs, samples, stride);
    y.values.fill(not_a_number);
    kernels::sparse_forward(rows, layer.weights.data(), layer.bias.data(), x.view, y.view);
    kernels::reference::sparse_forward(rows, layer.weights.data(), layer.bias.data(), x.view,
                                       y_reference.view);
    kernels::reference::sparse_forward(rows, weights_abs.data(), bias_abs.data(), x_abs.view,
                                       y_magnitude.view);
    for (std::size_t o = 0; o < outputs; ++o) {
        for (std::size_t j = 0; j < stride; ++j) y_dense.view(o, j) = layer.bias[o];
    }
    kernels::reference::gemm(outputs, stride, inputs, kernels::row_major(dense.data(), inputs),
                             kernels::row_major(x.values.data(), stride), y_dense.values.data(),
                             stride, true);
    for (std::size_t k = 0; k < outputs * stride; ++k) {
        INFO("forward, output " << k / stride << ", sample " << k % stride);
        REQUIRE(close(y.values[k], y_reference.values[k], y_magnitude.values[k], terms));
        REQUIRE(close(y.values[k], y_dense.values[k], y_magnitude.values[k], terms));
    }

    // The forward product from its inputs copied pass by pass, directly and as sparse_forward
    // takes it with a workspace (where each input is read often enough): the same bits.
    kernels::sparse_workspace workspace;
    block y_packed(outputs, samples, stride), y_workspace(outputs, samples, stride);
    y_packed.values.fill(not_a_number);
    y_workspace.values.fill(not_a_number);
    npl::aligned_buffer<float> packed(inputs * kernels::detail::sparse_chunk * npl::simd::width);
    kernels::detail::forward_rows_packed(rows, layer.weights.data(), layer.bias.data(), x.view,
                                         y_packed.view, 0, outputs, packed.data());
    kernels::sparse_forward(rows, layer.weights.data(), layer.bias.data(), x.view, y_workspace.view,
                            nullptr, &workspace);
    REQUIRE(same_bits(y.values.data(), y_packed.values.data(), outputs * stride));
    REQUIRE(same_bits(y.values.data(), y_workspace.values.data(), outputs * stride));

    // Input gradient: against the reference (which scatters from the rows) and the dense W^T dy.
    block dx(inputs, samples, stride), dx_reference(inputs, samples, stride),
        dx_dense(inputs, samples, stride), dx_magnitude(inputs, samples, stride);
    dx.values.fill(not_a_number);
    kernels::sparse_backward_input(columns, layer.weights.data(), dy.view, dx.view);
    kernels::reference::sparse_backward_input(rows, layer.weights.data(), dy.view,
                                              dx_reference.view);
    kernels::reference::sparse_backward_input(rows, weights_abs.data(), dy_abs.view,
                                              dx_magnitude.view);
    kernels::reference::gemm(
        inputs, stride, outputs, kernels::row_major(dense.data(), inputs).transposed(),
        kernels::row_major(dy.values.data(), stride), dx_dense.values.data(), stride, false);
    for (std::size_t k = 0; k < inputs * stride; ++k) {
        INFO("input gradient, input " << k / stride << ", sample " << k % stride);
        REQUIRE(close(dx.values[k], dx_reference.values[k], dx_magnitude.values[k], terms));
        REQUIRE(close(dx.values[k], dx_dense.values[k], dx_magnitude.values[k], terms));
        if (k % stride >= samples) REQUIRE(dx.values[k] == 0.0f);
    }

    // Weight gradient: the dense dy x^T sampled at the live slots; slack keeps its sentinel.
    constexpr float sentinel = -12345.0f;
    const std::size_t slots = layer.column.size();
    std::vector<float> gradient(slots, sentinel), gradient_reference(slots, sentinel),
        gradient_magnitude(slots, sentinel), gradient_dense(outputs * inputs);
    kernels::sparse_weight_gradient(rows, x.view, dy.view, gradient.data());
    kernels::reference::sparse_weight_gradient(rows, x.view, dy.view, gradient_reference.data());
    kernels::reference::sparse_weight_gradient(rows, x_abs.view, dy_abs.view,
                                               gradient_magnitude.data());
    kernels::reference::gemm(outputs, inputs, stride, kernels::row_major(dy.values.data(), stride),
                             kernels::row_major(x.values.data(), stride).transposed(),
                             gradient_dense.data(), inputs, false);
    std::vector<bool> is_live(slots, false);
    for (std::size_t o = 0; o < outputs; ++o) {
        for (std::size_t s = layer.row_begin[o]; s < layer.row_begin[o] + layer.row_count[o]; ++s) {
            INFO("weight gradient, output " << o << ", input " << layer.column[s]);
            is_live[s] = true;
            const double magnitude = gradient_magnitude[s];
            REQUIRE(close(gradient[s], gradient_reference[s], magnitude, terms));
            REQUIRE(
                close(gradient[s], gradient_dense[o * inputs + layer.column[s]], magnitude, terms));
        }
    }
    for (std::size_t s = 0; s < slots; ++s) {
        if (!is_live[s]) REQUIRE(gradient[s] == sentinel);
    }

    // The weight gradient from its inputs copied pass by pass, directly and through
    // sparse_weight_gradient with a workspace: within the rounding bound (its sums run chunk by
    // chunk); slack keeps its sentinel.
    std::vector<float> gradient_packed(slots, sentinel), gradient_workspace(slots, sentinel);
    kernels::detail::weight_gradient_rows_packed(rows, x.view, dy.view, gradient_packed.data(), 0,
                                                 outputs, packed.data());
    kernels::sparse_weight_gradient(rows, x.view, dy.view, gradient_workspace.data(), nullptr,
                                    &workspace);
    for (std::size_t s = 0; s < slots; ++s) {
        INFO("weight gradient from copied inputs, slot " << s);
        for (const std::vector<float>* got : {&gradient_packed, &gradient_workspace}) {
            if (is_live[s]) {
                REQUIRE(close((*got)[s], gradient_reference[s], gradient_magnitude[s], terms));
            } else {
                REQUIRE((*got)[s] == sentinel);
            }
        }
    }

    // Both gradients in one pass: the input gradient's bits, and the weight gradient within the
    // rounding bound (its sums run in another order); slack keeps its sentinel.
    block dx_fused(inputs, samples, stride);
    dx_fused.values.fill(not_a_number);
    std::vector<float> gradient_fused(slots, sentinel);
    kernels::sparse_backward(columns, layer.weights.data(), x.view, dy.view, dx_fused.view,
                             gradient_fused.data());
    REQUIRE(same_bits(dx.values.data(), dx_fused.values.data(), inputs * stride));
    for (std::size_t s = 0; s < slots; ++s) {
        INFO("fused backward pass, slot " << s);
        if (is_live[s]) {
            REQUIRE(close(gradient_fused[s], gradient_reference[s], gradient_magnitude[s], terms));
        } else {
            REQUIRE(gradient_fused[s] == sentinel);
        }
    }

    // Any number of threads gives the same bits.
    for (npl::thread_pool* pool : {&pool2, &pool3}) {
        INFO("threads=" << pool->threads());
        block y_threads(outputs, samples, stride), dx_threads(inputs, samples, stride);
        std::vector<float> gradient_threads(slots, sentinel);
        kernels::sparse_forward(rows, layer.weights.data(), layer.bias.data(), x.view,
                                y_threads.view, pool);
        kernels::sparse_backward_input(columns, layer.weights.data(), dy.view, dx_threads.view,
                                       pool);
        kernels::sparse_weight_gradient(rows, x.view, dy.view, gradient_threads.data(), pool);
        REQUIRE(same_bits(y.values.data(), y_threads.values.data(), outputs * stride));
        kernels::sparse_forward(rows, layer.weights.data(), layer.bias.data(), x.view,
                                y_threads.view, pool, &workspace);
        REQUIRE(same_bits(y.values.data(), y_threads.values.data(), outputs * stride));
        REQUIRE(same_bits(dx.values.data(), dx_threads.values.data(), inputs * stride));
        REQUIRE(same_bits(gradient.data(), gradient_threads.data(), slots));
        kernels::sparse_weight_gradient(rows, x.view, dy.view, gradient_threads.data(), pool,
                                        &workspace);
        REQUIRE(same_bits(gradient_workspace.data(), gradient_threads.data(), slots));

        block dx_fused_threads(inputs, samples, stride);
        std::vector<float> gradient_fused_threads(slots, sentinel);
        kernels::sparse_backward(columns, layer.weights.data(), x.view, dy.view,
                                 dx_fused_threads.view, gradient_fused_threads.data(), pool);
        REQUIRE(same_bits(dx.values.data(), dx_fused_threads.values.data(), inputs * stride));
        REQUIRE(same_bits(gradient_fused.data(), gradient_fused_threads.data(), slots));
    }
}

}  // namespace

TEST_CASE("sparse kernels match the reference and the dense product at awkward sizes",
          "[sparse][kernels]") {
    npl::thread_pool pool2(2), pool3(3);
    const std::size_t sizes[] = {1, 7, 17, 301};
    for (std::size_t outputs : sizes) {
        for (std::size_t inputs : sizes) {
            for (std::size_t samples : {1, 3, 128}) {
                for (double density : {0.0, 0.003, 0.1, 0.5, 1.0}) {
                    check_layer(outputs, inputs, samples, density, 0, pool2, pool3);
                }
            }
        }
    }
}

TEST_CASE("sparse kernels cover every remainder of a row of samples", "[sparse][kernels]") {
    // Padded strides of 48 and 208 floats, with one register more or 16 floats more, leave
    // every remainder of 2 and 1 registers after the full chunks of 4 at every register width,
    // and the extra floats check that rows are found through the stride.
    npl::thread_pool pool2(2), pool3(3);
    for (std::size_t samples : {40, 48, 200}) {
        for (std::size_t extra : {std::size_t{0}, npl::simd::width, std::size_t{16}}) {
            check_layer(301, 17, samples, 0.1, extra, pool2, pool3);
            check_layer(17, 301, samples, 0.5, extra, pool2, pool3);
        }
    }
}

TEST_CASE("sparse kernels give the same bits on any number of threads at 784 to 300",
          "[sparse][kernels][threads]") {
    npl::thread_pool pool2(2), pool3(3);
    check_layer(300, 784, 128, 0.05, 0, pool2, pool3);
}

TEST_CASE("a sparse workspace grows on demand and a copy of it starts empty", "[sparse][kernels]") {
    kernels::sparse_workspace workspace;
    REQUIRE(workspace.capacity() == 0);
    float* const first = workspace.reserve(100);
    REQUIRE(workspace.capacity() >= 100);
    REQUIRE(workspace.reserve(50) == first);  // never shrinks, keeps its memory
    REQUIRE(workspace.reserve(1000) != nullptr);
    REQUIRE(workspace.capacity() >= 1000);
    const kernels::sparse_workspace copied(workspace);  // scratch is not part of a copy
    REQUIRE(copied.capacity() == 0);
    kernels::sparse_workspace assigned;
    REQUIRE(assigned.reserve(10) != nullptr);
    assigned = workspace;
    REQUIRE(assigned.capacity() >= 10);  // assignment keeps its own scratch
}

TEST_CASE("simd::reduce_add_each sums every register of a group at once", "[sparse][kernels]") {
    constexpr std::size_t w = npl::simd::width;
    alignas(npl::buffer_alignment) float values[w * w];
    for (std::size_t k = 0; k < w * w; ++k) values[k] = float(k % 7) - 2.5f + float(k / w) * 16.0f;
    npl::simd::vec rows[w];
    for (std::size_t r = 0; r < w; ++r) rows[r] = npl::simd::load(values + r * w);
    alignas(npl::buffer_alignment) float sums[w];
    npl::simd::store(sums, npl::simd::reduce_add_each(rows));
    for (std::size_t r = 0; r < w; ++r) {
        float expected = 0.0f;
        for (std::size_t k = 0; k < w; ++k) expected += values[r * w + k];
        REQUIRE(sums[r] == expected);  // small integers and halves: every order is exact
    }
}

TEST_CASE("sparse kernels reject views whose shapes do not fit the layer", "[sparse][kernels]") {
    npl::rng g(7);
    const random_layer layer(5, 9, 0.5, g);
    block x(9, 3, 16), y(5, 3, 16), short_x(8, 3, 16), wide_y(5, 3, 32);
    const std::string rows_message = npl::test::error_message<npl::shape_error>([&] {
        kernels::sparse_forward(layer.by_rows(), layer.weights.data(), nullptr, short_x.view,
                                y.view);
    });
    INFO(rows_message);
    REQUIRE(npl::test::contains(rows_message, "sparse_forward: expected 9 rows of x"));
    REQUIRE(npl::test::contains(rows_message, "found 8"));

    const std::string stride_message = npl::test::error_message<npl::shape_error>(
        [&] { kernels::sparse_weight_gradient(layer.by_rows(), x.view, wide_y.view, nullptr); });
    INFO(stride_message);
    REQUIRE(npl::test::contains(stride_message, "expected 16 floats of row stride in dy"));

    const std::string input_message = npl::test::error_message<npl::shape_error>([&] {
        kernels::sparse_backward_input(layer.by_columns(), layer.weights.data(), y.view,
                                       short_x.view);
    });
    INFO(input_message);
    REQUIRE(npl::test::contains(input_message, "expected 9 rows of dx"));

    std::vector<float> gradient(layer.column.size());
    const std::string fused_message = npl::test::error_message<npl::shape_error>([&] {
        kernels::sparse_backward(layer.by_columns(), layer.weights.data(), x.view, wide_y.view,
                                 x.view, gradient.data());
    });
    INFO(fused_message);
    REQUIRE(npl::test::contains(fused_message,
                                "sparse_backward: expected 16 floats of row stride in dy"));
    REQUIRE(npl::test::contains(fused_message, "found 32"));
}
