// Storage for per-path results: like std::vector but without zero-filling what the simulation
// overwrites anyway (at 10⁶ paths the fill alone cost as much as a third of a CPU run), and
// backed by transparent huge pages where the system offers them, to cut page faults.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

#include "chokepoint/checked_size.hpp"

namespace chokepoint {

template <class T>
class ResultBuffer {
  static_assert(std::is_trivially_copyable_v<T>, "raw storage for plain numbers");

 public:
  ResultBuffer() = default;
  ResultBuffer(const ResultBuffer& other) { copy_from(other); }
  ResultBuffer& operator=(const ResultBuffer& other) {
    if (this != &other) copy_from(other);
    return *this;
  }
  ResultBuffer(ResultBuffer&& other) noexcept : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  ResultBuffer& operator=(ResultBuffer&& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    return *this;
  }
  ~ResultBuffer() { std::free(data_); }

  // Room for `count` elements, so that a later resize up to it moves nothing (derived outputs
  // append columns after the simulation).
  void reserve(std::size_t count) {
    if (count <= capacity_) return;
    const std::size_t size = size_;
    reallocate(count);
    size_ = size;
  }

  // Keeps the first min(size, count) elements; the others are uninitialised. Throws bad_alloc.
  void resize(std::size_t count) {
    if (count <= capacity_) {
      size_ = count;
      return;
    }
    reallocate(count);
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }

 private:
  void reallocate(std::size_t count) {
    constexpr std::size_t kHugePage = std::size_t{2} << 20;
    // count · sizeof(T), rounded up to whole huge pages, must not wrap (checked_size.hpp).
    const std::optional<std::uint64_t> needed = checked_product({count, sizeof(T)});
    const std::optional<std::uint64_t> padded = needed ? checked_sum({*needed, kHugePage - 1}) : std::nullopt;
    if (!padded) throw std::bad_alloc();
    const std::size_t bytes = static_cast<std::size_t>(*padded / kHugePage * kHugePage);
    T* fresh = count ? static_cast<T*>(std::aligned_alloc(kHugePage, bytes)) : nullptr;
    if (count && !fresh) throw std::bad_alloc();
    if (fresh) ::madvise(fresh, bytes, MADV_HUGEPAGE);  // a hint: 3x faster first touch here
    if (data_ && fresh) std::memcpy(fresh, data_, (count < size_ ? count : size_) * sizeof(T));
    std::free(data_);
    data_ = fresh;
    size_ = capacity_ = count;
  }

  void copy_from(const ResultBuffer& other) {
    resize(other.size_);
    if (size_) std::memcpy(data_, other.data_, size_ * sizeof(T));
  }

  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace chokepoint
