// DimVec: sizes and strides with inline room for 6 dims, so making a tensor or a view of
// ordinary rank allocates nothing for its shape.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <vector>

namespace pt {

class DimVec {
 public:
  static constexpr int64_t kInline = 6;
  DimVec() = default;
  explicit DimVec(int64_t n, int64_t value = 0) { resize(n, value); }
  DimVec(std::initializer_list<int64_t> v) { assign(v.begin(), v.end()); }
  DimVec(const int64_t* b, const int64_t* e) { assign(b, e); }
  DimVec(const std::vector<int64_t>& v) { assign(v.data(), v.data() + v.size()); }
  DimVec(const DimVec& o) { assign(o.begin(), o.end()); }
  DimVec(DimVec&& o) noexcept { move_from(o); }
  DimVec& operator=(const DimVec& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  DimVec& operator=(DimVec&& o) noexcept {
    if (this != &o) {
      release();
      move_from(o);
    }
    return *this;
  }
  ~DimVec() { release(); }

  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return ptr_; }
  const int64_t* data() const { return ptr_; }
  int64_t* begin() { return ptr_; }
  int64_t* end() { return ptr_ + size_; }
  const int64_t* begin() const { return ptr_; }
  const int64_t* end() const { return ptr_ + size_; }
  int64_t& operator[](int64_t i) { return ptr_[i]; }
  int64_t operator[](int64_t i) const { return ptr_[i]; }
  int64_t back() const { return ptr_[size_ - 1]; }

  void reserve(int64_t n) {
    if (n <= cap_) return;
    auto* p = static_cast<int64_t*>(std::malloc(sizeof(int64_t) * n));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, ptr_, sizeof(int64_t) * size_);
    if (ptr_ != inline_) std::free(ptr_);
    ptr_ = p;
    cap_ = n;
  }
  void resize(int64_t n, int64_t value = 0) {
    reserve(n);
    for (int64_t i = size_; i < n; ++i) ptr_[i] = value;
    size_ = n;
  }
  void push_back(int64_t v) {
    if (size_ == cap_) reserve(cap_ * 2);
    ptr_[size_++] = v;
  }
  void pop_back() { --size_; }
  void insert(int64_t pos, int64_t v) {
    push_back(0);
    std::memmove(ptr_ + pos + 1, ptr_ + pos, sizeof(int64_t) * (size_ - 1 - pos));
    ptr_[pos] = v;
  }
  void erase(int64_t pos) {
    std::memmove(ptr_ + pos, ptr_ + pos + 1, sizeof(int64_t) * (size_ - 1 - pos));
    --size_;
  }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }
  bool operator==(const DimVec& o) const {
    return size_ == o.size_ && std::equal(begin(), end(), o.begin());
  }
  bool operator!=(const DimVec& o) const { return !(*this == o); }

 private:
  void assign(const int64_t* b, const int64_t* e) {
    size_ = 0;
    reserve(e - b);
    size_ = e - b;
    if (size_) std::memcpy(ptr_, b, sizeof(int64_t) * size_);
  }
  void release() {
    if (ptr_ != inline_) std::free(ptr_);
    ptr_ = inline_;
    cap_ = kInline;
    size_ = 0;
  }
  void move_from(DimVec& o) {
    if (o.ptr_ == o.inline_) {
      ptr_ = inline_;
      cap_ = kInline;
      size_ = o.size_;
      std::memcpy(inline_, o.inline_, sizeof(int64_t) * size_);
    } else {
      ptr_ = o.ptr_;
      cap_ = o.cap_;
      size_ = o.size_;
      o.ptr_ = o.inline_;
      o.cap_ = kInline;
    }
    o.size_ = 0;
  }

  int64_t inline_[kInline];
  int64_t* ptr_ = inline_;
  int64_t size_ = 0;
  int64_t cap_ = kInline;
};

}  // namespace pt
