#include "core/generator.h"

#include <random>

#include "core/error.h"

namespace pt {

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lk(m_);
  seed_ = seed;
  offset_ = 0;
}

uint64_t Generator::seed() {
  std::random_device rd;
  const uint64_t s = (static_cast<uint64_t>(rd()) << 32) | rd();
  manual_seed(s);
  return s;
}

uint64_t Generator::initial_seed() const {
  std::lock_guard<std::mutex> lk(m_);
  return seed_;
}

PhiloxStream Generator::reserve(uint64_t nblocks) {
  std::lock_guard<std::mutex> lk(m_);
  PhiloxStream s{seed_, offset_};
  offset_ += nblocks;
  return s;
}

std::array<uint8_t, Generator::kStateBytes> Generator::state() const {
  std::lock_guard<std::mutex> lk(m_);
  std::array<uint8_t, kStateBytes> out;
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<uint8_t>(seed_ >> (8 * i));
    out[8 + i] = static_cast<uint8_t>(offset_ >> (8 * i));
  }
  return out;
}

void Generator::set_state(const uint8_t* bytes, int64_t nbytes) {
  PT_CHECK(nbytes == kStateBytes, RuntimeError, "set_state: expected a uint8 state of ",
           kStateBytes, " bytes (seed and offset), but got ", nbytes, " bytes");
  uint64_t seed = 0, offset = 0;
  for (int i = 0; i < 8; ++i) {
    seed |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    offset |= static_cast<uint64_t>(bytes[8 + i]) << (8 * i);
  }
  std::lock_guard<std::mutex> lk(m_);
  seed_ = seed;
  offset_ = offset;
}

const GeneratorPtr& default_generator() {
  static const GeneratorPtr* gen = new GeneratorPtr(std::make_shared<Generator>());  // never freed
  return *gen;
}

}  // namespace pt
