#pragma once
// A flat open-addressing map from byte strings to 32-bit values, with the hash
// computed once by the caller so one hash serves several tables. Private to the
// rules library.

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::rules::detail {

// The first n (at most 8) bytes at p as a zero-padded little-endian integer: the
// value memcpy(&v, p, n) gives on this machine. A memcpy of variable length
// compiles to byte stores and an 8-byte load of them, which stalls (the CPU
// cannot forward several small stores to one load); two overlapping loads don't.
inline std::uint64_t load_partial(const char* p, std::size_t n) {
  if constexpr (std::endian::native != std::endian::little) {
    std::uint64_t v = 0;
    std::memcpy(&v, p, n);
    return v;
  } else {
    if (n >= 8) {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
    if (n >= 4) {
      std::uint32_t lo, hi;
      std::memcpy(&lo, p, 4);
      std::memcpy(&hi, p + n - 4, 4);
      return lo | (static_cast<std::uint64_t>(hi) << (8 * (n - 4)));
    }
    if (n >= 2) {
      std::uint16_t lo, hi;
      std::memcpy(&lo, p, 2);
      std::memcpy(&hi, p + n - 2, 2);
      return lo | (static_cast<std::uint64_t>(hi) << (8 * (n - 2)));
    }
    return n == 1 ? static_cast<unsigned char>(p[0]) : 0;
  }
}

inline std::uint64_t hash_bytes(std::string_view s) {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (static_cast<std::uint64_t>(n) * 0xFF51AFD7ED558CCDULL);
  while (n >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ v) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  const std::uint64_t v = load_partial(p, n);
  h = (h ^ v) * 0x94D049BB133111EBULL;
  h ^= h >> 29;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 32;
  return h;
}

// Byte equality without a call for the short keys words are.
inline bool bytes_equal(const char* a, const char* b, std::size_t n) {
  if (n > 24) return std::memcmp(a, b, n) == 0;
  while (n >= 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  for (; n > 0; --n)
    if (*a++ != *b++) return false;
  return true;
}

class StringIndex {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;

  std::size_t size() const { return count_; }

  std::uint32_t find(std::string_view key) const { return find(key, hash_bytes(key)); }
  std::uint32_t find(std::string_view key, std::uint64_t h) const {
    if (slots_.empty()) return kNone;
    const std::uint32_t t = tag(h, key.size());
    const std::uint64_t inline_key = key.size() <= kInline ? pack(key) : 0;
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.tag == 0) return kNone;
      if (s.tag == t && equal(s, key, inline_key)) return s.value;
    }
  }

  // Asks the CPU to fetch the slot a lookup of hash `h` starts at.
  void prefetch(std::uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask_]);
  }

  // Inserts key -> value unless the key is present; returns the value held.
  std::uint32_t insert(std::string_view key, std::uint64_t h, std::uint32_t value) {
    if ((count_ + 1) * 4 > slots_.size() * 3) grow();
    const std::uint32_t t = tag(h, key.size());
    const std::uint64_t inline_key = key.size() <= kInline ? pack(key) : 0;
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.tag == 0) {
        s.tag = t;
        s.value = value;
        if (key.size() <= kInline) {
          s.key = inline_key;
        } else {
          s.key = (static_cast<std::uint64_t>(key.size()) << 32) | keys_.size();
          keys_.append(key);
        }
        ++count_;
        return value;
      }
      if (s.tag == t && equal(s, key, inline_key)) return s.value;
    }
  }
  std::uint32_t insert(std::string_view key, std::uint32_t value) {
    return insert(key, hash_bytes(key), value);
  }

  // Empties the map and keeps its capacity (per-record scratch use).
  void clear() {
    if (count_ == 0) return;
    std::memset(slots_.data(), 0, slots_.size() * sizeof(Slot));
    keys_.clear();
    count_ = 0;
  }
  void reserve(std::size_t n) {
    while (slots_.size() * 3 < n * 4 + 4) grow();
  }
  std::size_t bytes() const { return slots_.capacity() * sizeof(Slot) + keys_.capacity(); }

 private:
  // Keys of up to 8 bytes (most words, with their group byte) are kept in the
  // slot itself, so that finding one reads one cache line; longer ones in keys_.
  static constexpr std::size_t kInline = 8;
  struct Slot {
    std::uint32_t tag;  // 0: empty; the low 5 bits: the key's length, or 31 when not inline
    std::uint32_t value;
    std::uint64_t key;  // inline: the key's bytes, zero-padded; else length << 32 | offset in keys_
  };
  static std::uint32_t tag(std::uint64_t h, std::size_t len) {
    // `| 32` keeps the tag non-zero (0 marks an empty slot), even for an empty key.
    return (static_cast<std::uint32_t>(h >> 32) & ~0x1Fu) | 32u |
           static_cast<std::uint32_t>(len <= kInline ? len : 31);
  }
  static std::uint64_t pack(std::string_view key) { return load_partial(key.data(), key.size()); }
  bool equal(const Slot& s, std::string_view key, std::uint64_t inline_key) const {
    // Equal tags mean equal length classes: both inline of the same length, or both long.
    if (key.size() <= kInline) return s.key == inline_key;
    return (s.key >> 32) == key.size() &&
           bytes_equal(keys_.data() + static_cast<std::uint32_t>(s.key), key.data(), key.size());
  }
  std::string_view key_of(const Slot& s) const {
    const std::size_t len = s.tag & 0x1F;
    if (len != 31) return std::string_view(reinterpret_cast<const char*>(&s.key), len);
    return std::string_view(keys_.data() + static_cast<std::uint32_t>(s.key), s.key >> 32);
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    const std::size_t cap = old.empty() ? 64 : old.size() * 2;
    slots_.assign(cap, Slot{0, 0, 0});
    mask_ = cap - 1;
    for (const Slot& s : old) {
      if (s.tag == 0) continue;
      const std::uint64_t h = hash_bytes(key_of(s));
      for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
        if (slots_[i].tag == 0) {
          slots_[i] = s;
          break;
        }
      }
    }
  }

  std::vector<Slot> slots_;
  std::string keys_;
  std::size_t count_ = 0;
  std::size_t mask_ = 0;
};

// A bit per hash bucket: whether any key of a table may hash there. Looking a
// word up in a large table costs a cache miss; most words of a record are in no
// rule, and this small filter (64 KiB) turns them away first.
class HashFilter {
 public:
  void add(std::uint64_t h) { bits_[index(h) >> 6] |= std::uint64_t{1} << (index(h) & 63); }
  bool may_contain(std::uint64_t h) const { return (bits_[index(h) >> 6] >> (index(h) & 63)) & 1; }
  std::size_t bytes() const { return bits_.size() * 8; }

 private:
  static constexpr std::size_t kBits = std::size_t{1} << 19;
  static std::size_t index(std::uint64_t h) { return static_cast<std::size_t>((h >> 13) & (kBits - 1)); }
  std::vector<std::uint64_t> bits_ = std::vector<std::uint64_t>(kBits / 64, 0);
};

}  // namespace wirewatch::rules::detail
