// The serialised form of a mergeable metric state: integer counts and floating sums. Every
// additive state packs into (and unpacks from) this, so ranks reduce states by element-wise sums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace because::metrics {

struct Packed {
  std::vector<int64_t> ints;  ///< exact counts (summed exactly over ranks)
  std::vector<double> reals;  ///< floating sums (summed over ranks; equal to 1e-12 relative)

  /// Element-wise sum; both must have the same layout.
  void add(const Packed& o) {
    if (o.ints.size() != ints.size() || o.reals.size() != reals.size())
      throw std::logic_error("metrics: packed states of different layouts");
    for (size_t i = 0; i < ints.size(); ++i) ints[i] += o.ints[i];
    for (size_t i = 0; i < reals.size(); ++i) reals[i] += o.reals[i];
  }
};

/// Reads a Packed back in the order it was written.
class Unpacker {
 public:
  explicit Unpacker(const Packed& p) : p_(p) {}
  int64_t next_int() {
    if (i_ >= p_.ints.size()) throw std::logic_error("metrics: packed state too short (ints)");
    return p_.ints[i_++];
  }
  double next_real() {
    if (r_ >= p_.reals.size()) throw std::logic_error("metrics: packed state too short (reals)");
    return p_.reals[r_++];
  }
  bool done() const { return i_ == p_.ints.size() && r_ == p_.reals.size(); }

 private:
  const Packed& p_;
  size_t i_ = 0;
  size_t r_ = 0;
};

}  // namespace because::metrics
