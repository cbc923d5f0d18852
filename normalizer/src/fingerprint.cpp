#include "wirewatch/normalizer/fingerprint.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <unordered_set>

#include "wirewatch/common/text.hpp"

namespace wirewatch {
namespace {

constexpr std::size_t kShingleWords = 3;
constexpr std::size_t kRowsPerBand = 2;
constexpr std::size_t kBands = TextFingerprint::kHashes / kRowsPerBand;

std::uint64_t mix64(std::uint64_t x) {  // splitmix64 finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

struct HashFamily {
  std::array<std::uint64_t, TextFingerprint::kHashes> a{}, b{};
  HashFamily() {
    std::uint64_t seed = 0x5eed5eed12345678ULL;
    for (std::size_t i = 0; i < TextFingerprint::kHashes; ++i) {
      seed = mix64(seed + 0x9e3779b97f4a7c15ULL);
      a[i] = seed | 1;
      seed = mix64(seed + 0x9e3779b97f4a7c15ULL);
      b[i] = seed;
    }
  }
};

const HashFamily& family() {
  static const HashFamily f;
  return f;
}

using Signature16 = std::array<std::uint16_t, TextFingerprint::kHashes>;

// The low 16 bits of each MinHash value: the minimum of many hash values is
// small, so its high bits are mostly zero and its low bits are the uniform ones.
Signature16 low_bits(const TextFingerprint& fp) {
  Signature16 out;
  for (std::size_t i = 0; i < TextFingerprint::kHashes; ++i)
    out[i] = static_cast<std::uint16_t>(fp.minhash[i]);
  return out;
}

std::uint64_t band_key(const Signature16& sig, std::size_t band) {
  std::uint64_t h = mix64(band + 1);
  for (std::size_t r = 0; r < kRowsPerBand; ++r) h = mix64(h ^ sig[band * kRowsPerBand + r]);
  return h;
}

double similarity16(const Signature16& a, const Signature16& b) {
  std::size_t same = 0;
  for (std::size_t i = 0; i < TextFingerprint::kHashes; ++i) same += a[i] == b[i];
  return static_cast<double>(same) / static_cast<double>(TextFingerprint::kHashes);
}

// A key's first slot: key·slots/2³², uniform over any table size below 2³².
std::size_t home_slot(std::uint32_t key, std::size_t slots) {
  return static_cast<std::size_t>((static_cast<std::uint64_t>(key) * slots) >> 32);
}

}  // namespace

TextFingerprint text_fingerprint(const RecordText& text) {
  // Case-folded words of the paragraphs.
  std::vector<std::uint64_t> words;
  for (const auto& p : text.paragraphs) {
    std::string folded = fold_case(p);
    std::string word;
    auto flush = [&] {
      if (!word.empty()) words.push_back(fnv1a(word));
      word.clear();
    };
    for (std::size_t pos = 0; pos < folded.size();) {
      std::size_t start = pos;
      char32_t cp = next_code_point(folded, pos);
      if (is_word_char(cp))
        word.append(folded, start, pos - start);
      else
        flush();
    }
    flush();
  }
  TextFingerprint fp;
  if (words.size() < kShingleWords) return fp;
  std::unordered_set<std::uint64_t> shingles;
  shingles.reserve(words.size());
  for (std::size_t i = 0; i + kShingleWords <= words.size(); ++i) {
    std::uint64_t h = 0;
    for (std::size_t k = 0; k < kShingleWords; ++k) h = mix64(h * 31 + words[i + k]);
    shingles.insert(h);
  }
  fp.minhash.fill(std::numeric_limits<std::uint32_t>::max());
  const auto& f = family();
  for (std::uint64_t s : shingles) {
    for (std::size_t i = 0; i < TextFingerprint::kHashes; ++i) {
      auto v = static_cast<std::uint32_t>((f.a[i] * s + f.b[i]) >> 32);
      fp.minhash[i] = std::min(fp.minhash[i], v);
    }
  }
  fp.shingles = static_cast<std::uint32_t>(std::min<std::size_t>(shingles.size(), 0xFFFFFFFFu));
  return fp;
}

double similarity(const TextFingerprint& a, const TextFingerprint& b) {
  if (a.empty() || b.empty()) return 0.0;
  std::size_t same = 0;
  for (std::size_t i = 0; i < TextFingerprint::kHashes; ++i) same += a.minhash[i] == b.minhash[i];
  return static_cast<double>(same) / static_cast<double>(TextFingerprint::kHashes);
}

std::string TextFingerprint::to_bytes() const {
  std::string out(4 + 4 * kHashes, '\0');
  auto put = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
  };
  put(0, shingles);
  for (std::size_t i = 0; i < kHashes; ++i) put(4 + 4 * i, minhash[i]);
  return out;
}

std::optional<TextFingerprint> TextFingerprint::from_bytes(std::string_view bytes) {
  if (bytes.size() != 4 + 4 * kHashes) return std::nullopt;
  auto get = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return v;
  };
  TextFingerprint fp;
  fp.shingles = get(0);
  for (std::size_t i = 0; i < kHashes; ++i) fp.minhash[i] = get(4 + 4 * i);
  return fp;
}

NearDuplicateIndex::NearDuplicateIndex(double threshold, std::size_t max_records)
    : threshold_(threshold),
      max_records_(max_records),
      generation_size_(std::max<std::size_t>(max_records / 2, 1)),
      older_(generation_size_),
      current_(generation_size_) {}

void NearDuplicateIndex::add(std::string id, const TextFingerprint& fingerprint) {
  if (fingerprint.empty() || max_records_ == 0) return;
  if (current_.size() >= generation_size_) {
    older_ = std::move(current_);
    current_ = Generation(generation_size_);
  }
  if (size() >= max_records_)
    older_ = Generation(generation_size_);  // max_records 1: no room for an older generation
  current_.add(std::move(id), fingerprint);
}

std::optional<std::string> NearDuplicateIndex::find(const TextFingerprint& fingerprint) const {
  if (fingerprint.empty()) return std::nullopt;
  // Everything in the older generation was added before the current one.
  if (auto i = older_.find(fingerprint, threshold_)) return older_.id(*i);
  if (auto i = current_.find(fingerprint, threshold_)) return current_.id(*i);
  return std::nullopt;
}

NearDuplicateIndex::Generation::Generation(std::size_t max_entries)
    : max_entries_(std::max<std::size_t>(max_entries, 1)),
      index_bits_(static_cast<unsigned>(std::bit_width(max_entries_))) {
  // 2^index_bits > max_entries, so the all-ones index (kEmpty) is never an entry's.
  if (index_bits_ > 31) throw std::length_error("near-duplicate index generation too large");
  index_mask_ = (std::uint32_t{1} << index_bits_) - 1;
}

void NearDuplicateIndex::Generation::add(std::string id, const TextFingerprint& fingerprint) {
  if (entries_.size() >= max_entries_) throw std::length_error("near-duplicate index generation is full");
  auto index = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back({std::move(id), low_bits(fingerprint)});
  const Signature16& sig = entries_.back().minhash;
  for (std::size_t band = 0; band < kBands; ++band) {
    // Grow at a load of 0.7: linear probing stays short.
    if ((used_ + 1) * 10 > slots_.size() * 7) grow();
    insert(band_key(sig, band), index);
  }
}

void NearDuplicateIndex::Generation::insert(std::uint64_t band_key, std::uint32_t index) {
  std::size_t at = home_slot(static_cast<std::uint32_t>(band_key >> 32), slots_.size());
  while (slots_[at] != kEmpty)
    if (++at == slots_.size()) at = 0;
  slots_[at] = static_cast<std::uint32_t>(band_key << index_bits_) | index;
  ++used_;
}

void NearDuplicateIndex::Generation::grow() {
  // Doubling, but no further than what max_entries need at a load of 0.7. The
  // old table is freed before the new one is filled: slots are rebuilt from the
  // entries (the band keys of the entries added so far; the caller inserts the
  // rest of the current entry's bands).
  std::size_t full = (max_entries_ * kBands * 10 + 6) / 7 + 1;
  std::size_t size = slots_.empty() ? 1024 : slots_.size() * 2;
  if (size > full && full > slots_.size()) size = full;
  const std::size_t done = used_;  // slots filled, entry by entry, band by band
  slots_.clear();
  slots_.shrink_to_fit();
  slots_.assign(size, kEmpty);
  used_ = 0;
  for (std::uint32_t index = 0; used_ < done; ++index)
    for (std::size_t band = 0; band < kBands && used_ < done; ++band)
      insert(band_key(entries_[index].minhash, band), index);
}

std::optional<std::uint32_t> NearDuplicateIndex::Generation::find(const TextFingerprint& fingerprint,
                                                                  double threshold) const {
  if (slots_.empty()) return std::nullopt;
  const Signature16 sig = low_bits(fingerprint);
  // The 60 home slots are spread over a table far larger than the caches: ask
  // for all of them first, so their cache misses overlap instead of queueing.
  std::array<std::uint64_t, kBands> keys;
  std::array<std::size_t, kBands> homes;
  for (std::size_t band = 0; band < kBands; ++band) {
    keys[band] = band_key(sig, band);
    homes[band] = home_slot(static_cast<std::uint32_t>(keys[band] >> 32), slots_.size());
    __builtin_prefetch(&slots_[homes[band]]);
  }
  std::uint32_t best = kEmpty;
  for (std::size_t band = 0; band < kBands; ++band) {
    const std::uint32_t tag = static_cast<std::uint32_t>(keys[band] << index_bits_) & ~index_mask_;
    for (std::size_t at = homes[band]; slots_[at] != kEmpty; at = at + 1 == slots_.size() ? 0 : at + 1) {
      const std::uint32_t slot = slots_[at];
      const std::uint32_t index = slot & index_mask_;
      if ((slot & ~index_mask_) != tag || index >= best) continue;
      if (similarity16(entries_[index].minhash, sig) >= threshold) best = index;
    }
  }
  if (best == kEmpty) return std::nullopt;
  return best;
}

}  // namespace wirewatch
