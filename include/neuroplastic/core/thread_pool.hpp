// A small fixed pool of worker threads for splitting one kernel call into independent parts.
// Work is split by index ranges that do not depend on timing, and every output element is
// computed by exactly one thread in a fixed order, so results are the same bit for bit for any
// number of threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace neuroplastic {

/// Runs `parallel_for` bodies on `threads() - 1` workers plus the calling thread.
class thread_pool {
public:
    /// A pool that uses `threads` threads in all, the caller included; 0 or 1 means no workers.
    explicit thread_pool(std::size_t threads = 1) {
        for (std::size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
    }

    thread_pool(const thread_pool&) = delete;
    thread_pool& operator=(const thread_pool&) = delete;

    ~thread_pool() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
            ++generation_;
        }
        wake_.notify_all();
        for (auto& w : workers_) w.join();
    }

    [[nodiscard]] std::size_t threads() const noexcept { return workers_.size() + 1; }

    /// Calls `body(part)` for every part in [0, parts), spread over the threads, and returns when
    /// all have finished. The first exception a body throws is rethrown here.
    void parallel_for(std::size_t parts, const std::function<void(std::size_t)>& body) {
        if (workers_.empty() || parts <= 1) {
            for (std::size_t p = 0; p < parts; ++p) body(p);
            return;
        }
        {
            std::lock_guard lock(mutex_);
            body_ = &body;
            parts_ = parts;
            pending_ = workers_.size();
            failure_ = nullptr;
            ++generation_;
        }
        wake_.notify_all();
        run_share(0);
        std::unique_lock lock(mutex_);
        done_.wait(lock, [this] { return pending_ == 0; });
        body_ = nullptr;
        if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    }

private:
    // Thread t takes parts t, t + threads, t + 2 * threads, ...: a static split, no timing.
    void run_share(std::size_t thread) {
        try {
            for (std::size_t p = thread; p < parts_; p += threads()) (*body_)(p);
        } catch (...) {
            std::lock_guard lock(mutex_);
            if (!failure_) failure_ = std::current_exception();
        }
    }

    void work(std::size_t thread) {
        std::size_t seen = 0;
        for (;;) {
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return generation_ != seen; });
                seen = generation_;
                if (stopping_) return;
            }
            run_share(thread);
            {
                std::lock_guard lock(mutex_);
                --pending_;
            }
            done_.notify_one();
        }
    }

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    const std::function<void(std::size_t)>* body_ = nullptr;
    std::size_t parts_ = 0;
    std::size_t pending_ = 0;
    std::size_t generation_ = 0;
    bool stopping_ = false;
    std::exception_ptr failure_;
};

}  // namespace neuroplastic
