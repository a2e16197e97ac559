// neuroplastic: header-only C++20 neural networks whose structure changes while they train.
// This umbrella header includes every public header but the opt-in ones listed at its end.
#pragma once

#include "core/aligned_buffer.hpp"
#include "core/batch.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/parameter.hpp"
#include "core/random.hpp"
#include "core/thread_pool.hpp"
#include "kernels/elementwise.hpp"
#include "kernels/gemm.hpp"
#include "kernels/simd.hpp"
#include "layers/activation.hpp"
#include "layers/dense.hpp"
#include "layers/initializer.hpp"
#include "layers/input.hpp"
#include "core/layer.hpp"
#include "layers/loss.hpp"
#include "core/diagnostics.hpp"
#include "network/network.hpp"
#include "network/sequence.hpp"
#include "data/csv.hpp"
#include "data/dataset.hpp"
#include "data/synthetic.hpp"
#include "training/gradient_check.hpp"
#include "training/optimizer.hpp"
#include "training/progress.hpp"
#include "training/schedule.hpp"
#include "training/trainer.hpp"

// Opt-in headers, not included above:
//   data/idx.hpp  the IDX (MNIST) reader; it needs zlib (link ZLIB::ZLIB).
