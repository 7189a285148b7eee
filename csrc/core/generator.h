// Random number generation: a counter-based Philox4x32-10 generator (Salmon et al., SC'11).
// A stream is (key = seed, counter = offset + block index), so element i of a random tensor
// depends only on the seed, the generator's offset at the call and i: results do not change
// with the thread count or the order in which threads run.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>

namespace pt {

using PhiloxBlock = std::array<uint32_t, 4>;

// One Philox4x32-10 evaluation: 10 rounds on a 128-bit counter under a 64-bit key.
inline PhiloxBlock philox4x32_10(PhiloxBlock ctr, uint64_t key) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  for (int round = 0; round < 10; ++round) {
    if (round) {
      k0 += kWeyl0;
      k1 += kWeyl1;
    }
    const uint64_t p0 = static_cast<uint64_t>(kMul0) * ctr[0];
    const uint64_t p1 = static_cast<uint64_t>(kMul1) * ctr[2];
    ctr = {static_cast<uint32_t>(p1 >> 32) ^ ctr[1] ^ k0, static_cast<uint32_t>(p1),
           static_cast<uint32_t>(p0 >> 32) ^ ctr[3] ^ k1, static_cast<uint32_t>(p0)};
  }
  return ctr;
}

// The blocks one op call owns: block j is philox(counter = offset + j, key = seed).
struct PhiloxStream {
  uint64_t seed = 0;
  uint64_t offset = 0;
  PhiloxBlock block(uint64_t j) const {
    const uint64_t c = offset + j;
    return philox4x32_10({static_cast<uint32_t>(c), static_cast<uint32_t>(c >> 32), 0, 0}, seed);
  }
};

class Generator {
 public:
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;  // PyTorch's default CPU seed
  static constexpr int64_t kStateBytes = 16;                   // seed, offset (little-endian)

  explicit Generator(uint64_t seed = kDefaultSeed) : seed_(seed) {}

  void manual_seed(uint64_t seed);
  uint64_t seed();  // reseeds from the OS entropy source and returns the new seed
  uint64_t initial_seed() const;
  // Hands out `nblocks` fresh counter values: no two calls ever share a block.
  PhiloxStream reserve(uint64_t nblocks);

  std::array<uint8_t, kStateBytes> state() const;
  void set_state(const uint8_t* bytes, int64_t nbytes);

 private:
  mutable std::mutex m_;
  uint64_t seed_;
  uint64_t offset_ = 0;
};

using GeneratorPtr = std::shared_ptr<Generator>;

// The process-wide generator behind pytensor.manual_seed and every op given no generator.
const GeneratorPtr& default_generator();
// `gen` or, when null, the default generator.
inline Generator& generator_or_default(const GeneratorPtr& gen) {
  return gen ? *gen : *default_generator();
}

}  // namespace pt
