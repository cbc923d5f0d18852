#include "wirewatch/normalizer/fingerprint.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
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

std::uint64_t band_key(const TextFingerprint& fp, std::size_t band) {
  std::uint64_t h = mix64(band + 1);
  for (std::size_t r = 0; r < kRowsPerBand; ++r)
    h = mix64(h ^ fp.minhash[band * kRowsPerBand + r]);
  return h;
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
      if (is_word_char(cp)) word.append(folded, start, pos - start);
      else flush();
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
    for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return v;
  };
  TextFingerprint fp;
  fp.shingles = get(0);
  for (std::size_t i = 0; i < kHashes; ++i) fp.minhash[i] = get(4 + 4 * i);
  return fp;
}

NearDuplicateIndex::NearDuplicateIndex(double threshold) : threshold_(threshold) {}

void NearDuplicateIndex::add(std::string id, const TextFingerprint& fingerprint) {
  if (fingerprint.empty()) return;
  auto index = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back({std::move(id), fingerprint});
  for (std::size_t band = 0; band < kBands; ++band) buckets_[band_key(fingerprint, band)].push_back(index);
}

std::optional<std::string> NearDuplicateIndex::find(const TextFingerprint& fingerprint) const {
  if (fingerprint.empty()) return std::nullopt;
  std::uint32_t best = std::numeric_limits<std::uint32_t>::max();
  for (std::size_t band = 0; band < kBands; ++band) {
    auto it = buckets_.find(band_key(fingerprint, band));
    if (it == buckets_.end()) continue;
    for (std::uint32_t index : it->second) {
      if (index >= best) break;  // buckets are in insertion order
      if (similarity(entries_[index].fingerprint, fingerprint) >= threshold_) best = index;
    }
  }
  if (best == std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return entries_[best].id;
}

}  // namespace wirewatch
