// Content hashing (xxHash3, 64 and 128 bit) for config hashes, digests and seeds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace because::hash {

uint64_t xxh64(std::string_view data, uint64_t seed = 0);
/// Hex string of xxh64.
std::string hex64(uint64_t h);

/// Streaming 128-bit hash; `hex()` gives 32 hex digits.
class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  /// Hashes a length prefix and the bytes, so that concatenations cannot collide.
  void update_framed(std::string_view s);
  template <class T>
  void update_pod(const T& v) { update(&v, sizeof(T)); }
  std::string hex() const;

 private:
  void* state_;
};

/// Mixes values into a 64-bit seed (splitmix64 over xxh64 of the parts).
uint64_t mix_seed(uint64_t a, uint64_t b);
uint64_t seed_of(uint64_t run_seed, std::string_view uid, int64_t label, int64_t sample);

}  // namespace because::hash
