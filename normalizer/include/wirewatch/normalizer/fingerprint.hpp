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
#include <deque>
#include <optional>
#include <string>
#include <string_view>
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

// Holds the fingerprints of the most recent first copies only, so its memory is
// bounded (about 0.65 KB per fingerprint, see docs/extraction.md): fingerprints
// go into two generations; when the current one has max_records/2, the older is
// dropped whole and a fresh one started. So between max_records/2 and
// max_records of the latest fingerprints are held, and eviction is O(1) amortized.
class NearDuplicateIndex {
 public:
  static constexpr double kDefaultThreshold = 0.3;
  static constexpr std::size_t kDefaultMaxRecords = 50'000;
  // max_records 0 holds nothing: find() never matches.
  explicit NearDuplicateIndex(double threshold = kDefaultThreshold,
                              std::size_t max_records = kDefaultMaxRecords);

  // Adds a record's fingerprint; empty fingerprints are ignored.
  void add(std::string id, const TextFingerprint& fingerprint);
  // The id of the first-added held record whose similarity reaches the threshold, if any.
  std::optional<std::string> find(const TextFingerprint& fingerprint) const;

  // Fingerprints held (at most max_records).
  std::size_t size() const { return older_.size() + current_.size(); }
  std::size_t max_records() const { return max_records_; }
  double threshold() const { return threshold_; }

 private:
  // Fingerprints with an open-addressing table (linear probing) of 32-bit
  // slots, one per band of each entry: the entry's index in the low bits, as
  // many as max_entries needs, and a tag (other bits of the band key) in the
  // rest. A tag collision only costs a similarity() check: every candidate is
  // confirmed. Entries keep the low 16 bits of each MinHash value (band keys
  // are made of them too, so growing the table rehashes from the entries): two
  // values that differ agree there once in 65,536 times, which raises an
  // estimated similarity by 0.002 at most on average, and halves the memory.
  class Generation {
   public:
    explicit Generation(std::size_t max_entries = 1);
    void add(std::string id, const TextFingerprint& fingerprint);
    // The smallest entry index whose similarity reaches the threshold.
    std::optional<std::uint32_t> find(const TextFingerprint& fingerprint, double threshold) const;
    const std::string& id(std::uint32_t index) const { return entries_[index].id; }
    std::size_t size() const { return entries_.size(); }

   private:
    struct Entry {
      std::string id;
      std::array<std::uint16_t, TextFingerprint::kHashes> minhash;
    };
    static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;  // never a valid slot: index bits all set
    void insert(std::uint64_t band_key, std::uint32_t index);
    void grow();
    std::deque<Entry> entries_;  // no spare capacity, unlike a doubling vector
    // Positions are key·size/2³² (the band key's top bits), so the size need not
    // be a power of two and the last growth stops at a load of 0.7 for
    // max_entries: 4/0.7 ≈ 5.7 B per band.
    std::vector<std::uint32_t> slots_;
    std::size_t used_ = 0;
    std::size_t max_entries_;
    unsigned index_bits_;  // bits for an entry index (max_entries < 2^index_bits)
    std::uint32_t index_mask_;
  };

  double threshold_;
  std::size_t max_records_;
  std::size_t generation_size_;  // entries of the current generation before it becomes the older
  Generation older_, current_;
};

}  // namespace wirewatch
