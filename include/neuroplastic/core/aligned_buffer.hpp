// Heap storage aligned to a cache line, zero-filled on allocation. Weights, gradients, optimiser
// state and activations all live in these: their sizes are often compile-time constants, but a
// 784x300 weight matrix on the stack would overflow it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <span>
#include <type_traits>
#include <utility>

#include "config.hpp"

namespace neuroplastic {

/// A fixed-size, zero-initialised, cache-line-aligned array of trivially copyable values.
/// Copying copies the contents; moving leaves the source empty.
template <class T>
class aligned_buffer {
    static_assert(std::is_trivially_copyable_v<T>, "aligned_buffer holds plain values only");

public:
    aligned_buffer() noexcept = default;

    explicit aligned_buffer(std::size_t size) : data_(allocate(size)), size_(size) {}

    aligned_buffer(const aligned_buffer& other) : aligned_buffer(other.size_) {
        if (size_ != 0) std::memcpy(data_, other.data_, size_ * sizeof(T));
    }

    aligned_buffer(aligned_buffer&& other) noexcept
        : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

    aligned_buffer& operator=(const aligned_buffer& other) {
        if (this != &other) {
            aligned_buffer copy(other);
            swap(copy);
        }
        return *this;
    }

    aligned_buffer& operator=(aligned_buffer&& other) noexcept {
        aligned_buffer moved(std::move(other));
        swap(moved);
        return *this;
    }

    ~aligned_buffer() { release(data_); }

    void swap(aligned_buffer& other) noexcept {
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
    }

    /// Makes the buffer hold `size` zeros; the old contents are lost.
    void assign_zeros(std::size_t size) {
        if (size != size_) {
            aligned_buffer fresh(size);
            swap(fresh);
        } else {
            fill(T{});
        }
    }

    /// Grows to at least `size` elements keeping the contents (new elements are zero).
    void grow_to(std::size_t size) {
        if (size <= size_) return;
        aligned_buffer bigger(size);
        if (size_ != 0) std::memcpy(bigger.data_, data_, size_ * sizeof(T));
        swap(bigger);
    }

    void fill(T value) noexcept { std::fill_n(data_, size_, value); }

    [[nodiscard]] T* data() noexcept { return data_; }
    [[nodiscard]] const T* data() const noexcept { return data_; }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }

    T* begin() noexcept { return data_; }
    T* end() noexcept { return data_ + size_; }
    const T* begin() const noexcept { return data_; }
    const T* end() const noexcept { return data_ + size_; }

    operator std::span<T>() noexcept { return {data_, size_}; }
    operator std::span<const T>() const noexcept { return {data_, size_}; }

private:
    static T* allocate(std::size_t size) {
        if (size == 0) return nullptr;
        // Round the byte count up to whole cache lines so SIMD loads of the last line stay inside.
        const std::size_t bytes =
            (size * sizeof(T) + buffer_alignment - 1) / buffer_alignment * buffer_alignment;
        void* memory = ::operator new (bytes, std::align_val_t{buffer_alignment});
        std::memset(memory, 0, bytes);
        return static_cast<T*>(memory);
    }

    static void release(T* data) noexcept {
        if (data != nullptr) ::operator delete (data, std::align_val_t{buffer_alignment});
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace neuroplastic
