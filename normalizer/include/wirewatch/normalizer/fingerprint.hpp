#pragma once
// Near-duplicate detection: syndicated copies of one story on different sites.
//
// A fingerprint is a MinHash signature over the record's word shingles (case-
// folded word n-grams of the paragraphs; the title is left out, since syndicated
// copies often retitle). Two texts are near-duplicates when the estimated Jaccard
// similarity of their shingle sets reaches the index's threshold. The index finds
// candidates by locality-sensitive hashing (bands of the signature) and confirms
// each by its estimated similarity. Threshold and measured false positives and
// recall: docs/extraction.md.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wirewatch/normalizer/record.hpp"

namespace wirewatch {

struct TextFingerprint {
  static constexpr std::size_t kHashes = 120;
  std::array<std::uint32_t, kHashes> minhash{};
  std::uint32_t shingles = 0;  // distinct shingles seen; 0 for a text too short to compare

  // Too short to say anything: never a duplicate, never indexed.
  bool empty() const { return shingles < kMinShingles; }
  static constexpr std::uint32_t kMinShingles = 12;

  // A compact form for storage (e.g. a SQLite blob): 4 + 4·kHashes bytes.
  std::string to_bytes() const;
  static std::optional<TextFingerprint> from_bytes(std::string_view bytes);
  bool operator==(const TextFingerprint&) const = default;
};

TextFingerprint text_fingerprint(const RecordText& text);

// Estimated Jaccard similarity of the two shingle sets, 0..1 (0 when either is empty).
double similarity(const TextFingerprint& a, const TextFingerprint& b);

class NearDuplicateIndex {
 public:
  static constexpr double kDefaultThreshold = 0.3;
  explicit NearDuplicateIndex(double threshold = kDefaultThreshold);

  // Adds a record's fingerprint; empty fingerprints are ignored.
  void add(std::string id, const TextFingerprint& fingerprint);
  // The id of the first-added record whose similarity reaches the threshold, if any.
  std::optional<std::string> find(const TextFingerprint& fingerprint) const;

  std::size_t size() const { return entries_.size(); }
  double threshold() const { return threshold_; }

 private:
  struct Entry {
    std::string id;
    TextFingerprint fingerprint;
  };
  double threshold_;
  std::vector<Entry> entries_;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets_;  // band key → entries
};

}  // namespace wirewatch
