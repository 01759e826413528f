// xxHash wrappers.
#include "util/hash.h"

#include <xxhash.h>

#include <cstdio>

namespace because::hash {

uint64_t xxh64(std::string_view d, uint64_t seed) { return XXH3_64bits_withSeed(d.data(), d.size(), seed); }

std::string hex64(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Hasher::Hasher() : state_(XXH3_createState()) { XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_)); }
Hasher::~Hasher() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }
void Hasher::update(const void* data, size_t n) {
  XXH3_128bits_update(static_cast<XXH3_state_t*>(state_), data, n);
}
void Hasher::update_framed(std::string_view s) {
  const uint64_t n = s.size();
  update(&n, sizeof n);
  update(s.data(), s.size());
}
std::string Hasher::hex() const {
  const XXH128_hash_t h = XXH3_128bits_digest(static_cast<XXH3_state_t*>(state_));
  return hex64(h.high64) + hex64(h.low64);
}

uint64_t mix_seed(uint64_t a, uint64_t b) {
  uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t seed_of(uint64_t run_seed, std::string_view uid, int64_t label, int64_t sample) {
  uint64_t s = mix_seed(run_seed, xxh64(uid));
  s = mix_seed(s, static_cast<uint64_t>(label));
  return mix_seed(s, static_cast<uint64_t>(sample));
}

}  // namespace because::hash
