// A progress display for `trainer`: on a terminal, one line redrawn in place during each epoch
// and kept at its end; elsewhere (a pipe, a log file, CI), one plain line per epoch. Headers of
// the library never print by themselves: a program opts in with `show_progress`.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#include "trainer.hpp"

namespace neuroplastic {

/// Writes progress lines for the reports it is given.
class progress_printer {
public:
    /// Prints to `out`; `interactive` says whether to redraw one line in place (true on a
    /// terminal, by default).
    explicit progress_printer(std::FILE* out, int interactive = -1)
        : out_(out), interactive_(interactive >= 0 ? interactive != 0 : is_terminal(out)) {}

    void step(const step_report& r) {
        if (!interactive_) return;
        const auto now = clock::now();
        if (r.batch != r.batches && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        constexpr int width = 24;
        const int filled = static_cast<int>(width * r.batch / (r.batches == 0 ? 1 : r.batches));
        std::fprintf(out_, "\r\033[Kepoch %zu/%zu [%.*s%*s] %3zu%%  loss %.4f  lr %.4g", r.epoch,
                     r.epochs, filled, "========================", width - filled, "",
                     100 * r.batch / (r.batches == 0 ? 1 : r.batches), double(r.loss),
                     double(r.learning_rate));
        std::fflush(out_);
    }

    void epoch(const epoch_report& r) {
        if (interactive_) std::fputs("\r\033[K", out_);
        std::fprintf(out_, "epoch %zu/%zu  train loss %.4f", r.epoch, r.epochs, r.train.loss);
        if (!std::isnan(r.train.accuracy)) std::fprintf(out_, " acc %.4f", r.train.accuracy);
        if (r.test.samples > 0) {
            std::fprintf(out_, "  test loss %.4f", r.test.loss);
            if (!std::isnan(r.test.accuracy)) std::fprintf(out_, " acc %.4f", r.test.accuracy);
        }
        std::fprintf(out_, "  %.2f s\n", r.seconds);
        std::fflush(out_);
    }

    [[nodiscard]] bool interactive() const noexcept { return interactive_; }

    static bool is_terminal(std::FILE* f) noexcept {
#if defined(__unix__) || defined(__APPLE__)
        return ::isatty(::fileno(f)) != 0;
#else
        (void)f;
        return false;
#endif
    }

private:
    using clock = std::chrono::steady_clock;
    std::FILE* out_;
    bool interactive_;
    clock::time_point last_draw_{};
};

/// Makes `t` print its progress to `out` (standard error by default).
template <class Trainer>
void show_progress(Trainer& t, std::FILE* out = stderr, int interactive = -1) {
    auto printer = std::make_shared<progress_printer>(out, interactive);
    t.on_step([printer](const step_report& r) { printer->step(r); });
    t.on_epoch([printer](const epoch_report& r) { printer->epoch(r); });
}

}  // namespace neuroplastic
