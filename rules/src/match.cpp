// Matching a record: tokenize and fold it once, mark the atoms that occur, walk
// the index to the candidate rules, evaluate only those, and report hits.

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <deque>
#include <limits>

#include "rule_set_impl.hpp"
#include "wirewatch/common/text.hpp"
#include "wirewatch/rules/messages.hpp"
#include "wirewatch/rules/tokenizer.hpp"

namespace wirewatch::rules {

using Impl = RuleSet::Impl;
using detail::StringIndex;

namespace {

constexpr std::uint32_t kNone = Impl::kNone;
constexpr std::uint64_t kDropped = ~std::uint64_t{0};
constexpr std::size_t kSnippetMax = 300;
// Non-ASCII words folded, a few MB a thread: Cyrillic word forms run to hundreds
// of thousands, and a cap of 1 << 20 could hold ~100 MB in every worker.
constexpr std::size_t kFoldCacheMax = 1 << 16;
constexpr std::size_t kWordCacheMax = 1 << 15;              // words: about 2.5 MB a thread
constexpr std::size_t kWordKeysMax = std::size_t{1} << 22;  // bytes of their keys
constexpr int kFields = 4;

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// Eight ASCII bytes lowered at once. A byte below 0x80 plus 0x3F reaches 0x80
// from 'A' on, plus 0x25 from '[' on, and neither carries into the next byte;
// bytes from 0x80 on (past a word's end) may carry, but only into later bytes.
std::uint64_t lower_ascii8(std::uint64_t x) {
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const std::uint64_t upper = (x + 0x3F3F3F3F3F3F3F3FULL) & ~(x + 0x2525252525252525ULL) & ~x & kHigh;
  return x | (upper >> 2);
}

std::uint8_t field_bit(Field f) { return static_cast<std::uint8_t>(1u << static_cast<unsigned>(f)); }

struct Tok {
  std::uint32_t distinct;
  std::uint32_t next;  // the next token of the same distinct word, or kNone
  std::uint32_t sentence;
  std::uint32_t paragraph;
  std::uint32_t cp_off;
  std::uint32_t cp_len;
  std::uint32_t byte_off;
  std::uint32_t byte_len;
  Field field;
  bool ascii;
};

struct Distinct {
  std::uint32_t key_off;  // into keys: group byte + folded word
  std::uint32_t key_len;
  std::uint32_t first;
  std::uint32_t last;
  std::uint32_t atom;  // the word atom, or kNone
};

// One occurrence of a term: tokens [first, last] of one field.
struct Occ {
  std::uint32_t first;
  std::uint32_t last;
  std::uint32_t written;  // the rule's written term it stands for (hits only)
};

// Per-thread working memory, reused from record to record; what one record
// marked is unmarked through the lists of what it marked.
class Scratch {
 public:
  std::vector<Tok> toks;
  std::array<std::uint32_t, kFields + 1> field_begin{};
  std::array<std::string_view, kFields> field_text{};
  std::vector<Distinct> distincts;
  std::vector<std::uint32_t> present;       // atoms that occur, in order found
  std::vector<std::uint64_t> present_bits;  // bit per atom: occurs (cleared through `present`)
  std::vector<std::uint32_t> atom_slot;     // for an occurring atom: its distinct or prefix_hits index
  std::vector<std::pair<std::uint32_t, std::uint32_t>> prefix_hits;  // (prefix atom, distinct)
  // The terms whose occurrences this record has computed: (term + 1) << 32 |
  // occ_pool slot, open addressing. A record needs a few hundred at most, so
  // the table stays in the L1 cache where an array over all terms would not.
  std::vector<std::uint64_t> term_table = std::vector<std::uint64_t>(256, 0);
  std::vector<std::uint32_t> term_used;  // filled positions of term_table
  int term_bits = 8;
  std::deque<std::vector<Occ>> occ_pool;  // stable references
  std::size_t occ_used = 0;
  std::vector<std::uint64_t> candidates;  // rule << 32 | root node (with kRestricted)
  std::vector<std::uint64_t> pending;     // (candidate index, check) pairs: other clauses to check
  std::string fold_buf, key_buf;
  // The keys (group byte + folded word) of a field's words, one after the other.
  std::vector<char> key_words = std::vector<char>(4096);
  struct Key {
    std::uint64_t hash;
    std::uint32_t off;  // in key_words; then the word's index in `words`
    std::uint32_t len;
  };
  std::vector<Key> field_keys;  // a field's tokens' keys, in order
  StringIndex fold_cache;       // raw non-ASCII word -> index into folded
  std::vector<std::string> folded;

  // The words earlier records had (group byte + folded word), each with what the
  // rule set holds for it: its word atom and the prefix atoms it starts with.
  // Looking a word up in the dictionaries of 100k rules' atoms costs cache
  // misses; a news stream repeats most of its words, so a word is looked up
  // there the first time and found here after that. A record's distinct words
  // are found here too (by the stamp), instead of in a table of their own.
  // Tied to one rule set, and emptied when it grows past kWordCacheMax.
  struct Word {
    std::uint32_t stamp;     // the last record that had it (Scratch::stamp)
    std::uint32_t distinct;  // its index in that record's `distincts`
    std::uint32_t atom;      // the word atom, or kNone
    std::uint32_t key_off;   // word_keys: group byte + folded word
    std::uint32_t key_len;
    std::uint32_t prefixes;  // word_prefixes[prefixes, prefixes + prefix_count)
    std::uint32_t prefix_count;
  };
  StringIndex word_ids;  // key -> index in words
  std::vector<Word> words;
  std::string word_keys;
  std::vector<std::uint32_t> word_prefixes;
  std::uint64_t words_of = 0;  // Impl::serial() of the set they were looked up in
  std::uint32_t stamp = 0;

  void begin(const Impl& set) {
    if (words_of != set.serial() || words.size() >= kWordCacheMax || word_keys.size() >= kWordKeysMax ||
        stamp == std::numeric_limits<std::uint32_t>::max()) {
      word_ids = StringIndex();
      words.clear();
      word_keys.clear();
      word_prefixes.clear();
      words_of = set.serial();
      stamp = 0;
    }
    ++stamp;
    for (auto i : term_used) term_table[i] = 0;
    term_used.clear();
    for (auto a : present) present_bits[a >> 6] &= ~(std::uint64_t{1} << (a & 63));
    if (atom_slot.size() < set.atoms().size()) {
      atom_slot.resize(set.atoms().size(), 0);
      present_bits.resize((set.atoms().size() + 63) / 64, 0);
    }
    toks.clear();
    distincts.clear();
    present.clear();
    prefix_hits.clear();
    candidates.clear();
    pending.clear();
    occ_used = 0;
  }

  std::size_t term_pos(std::uint32_t term) const {
    const std::size_t mask = term_table.size() - 1;
    auto i = static_cast<std::size_t>((std::uint64_t{term} * 0x9E3779B97F4A7C15ULL) >> (64 - term_bits));
    while (term_table[i] != 0 && (term_table[i] >> 32) != term + 1) i = (i + 1) & mask;
    return i;
  }
  // The occ_pool slot of a term's occurrences, or kNone when not computed yet.
  std::uint32_t term_slot(std::uint32_t term) const {
    const auto e = term_table[term_pos(term)];
    return e == 0 ? kNone : static_cast<std::uint32_t>(e);
  }
  void set_term_slot(std::uint32_t term, std::uint32_t slot) {
    if ((term_used.size() + 1) * 2 > term_table.size()) {  // grow, keeping the load at most 1/2
      std::vector<std::uint64_t> old;
      old.swap(term_table);
      term_table.assign(old.size() * 2, 0);
      ++term_bits;
      term_used.clear();
      for (auto e : old)
        if (e != 0) {
          const auto i = term_pos(static_cast<std::uint32_t>(e >> 32) - 1);
          term_table[i] = e;
          term_used.push_back(static_cast<std::uint32_t>(i));
        }
    }
    const auto i = term_pos(term);
    term_table[i] = (std::uint64_t{term + 1} << 32) | slot;
    term_used.push_back(static_cast<std::uint32_t>(i));
  }

  bool has(std::uint32_t atom) const { return (present_bits[atom >> 6] >> (atom & 63)) & 1; }
  // Marks an atom as occurring; false when it already was.
  bool mark(std::uint32_t atom, std::uint32_t slot) {
    if (has(atom)) return false;
    present_bits[atom >> 6] |= std::uint64_t{1} << (atom & 63);
    atom_slot[atom] = slot;
    present.push_back(atom);
    return true;
  }

  std::vector<Occ>& new_occ() {
    if (occ_used == occ_pool.size()) occ_pool.emplace_back();
    auto& v = occ_pool[occ_used++];
    v.clear();
    return v;
  }

  std::string_view key(const Distinct& d) const {
    return std::string_view(word_keys).substr(d.key_off, d.key_len);
  }
  std::string_view folded_of(std::uint32_t distinct) const { return key(distincts[distinct]).substr(1); }
  std::uint8_t group_of(std::uint32_t distinct) const {
    return static_cast<std::uint8_t>(word_keys[distincts[distinct].key_off]);
  }
  std::string_view raw(std::uint32_t tok) const {
    const Tok& t = toks[tok];
    return field_text[static_cast<int>(t.field)].substr(t.byte_off, t.byte_len);
  }
  std::uint32_t pos(std::uint32_t tok) const { return tok - field_begin[static_cast<int>(toks[tok].field)]; }
  std::uint32_t field_end(Field f) const { return field_begin[static_cast<int>(f) + 1]; }

  // The folded form of a word, cached across records for non-ASCII words.
  std::string_view fold(const WordSpan& w) {
    if (w.ascii) {
      fold_buf.assign(w.raw);
      for (char& c : fold_buf)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      return fold_buf;
    }
    const auto h = detail::hash_bytes(w.raw);
    auto i = fold_cache.find(w.raw, h);
    if (i == StringIndex::kNone) {
      if (folded.size() >= kFoldCacheMax) {
        fold_cache = StringIndex();
        folded.clear();
      }
      i = fold_cache.insert(w.raw, h, static_cast<std::uint32_t>(folded.size()));
      folded.push_back(fold_word(w.raw));
    }
    return folded[i];
  }

  // Group byte + an ASCII word lowered, written at key_words[at] 8 bytes at a
  // time: as whole 8-byte words, so that hashing it reads them back without the
  // stall byte stores cause (see detail::load_partial). The caller makes sure 8
  // bytes past the word can be read.
  void ascii_key(char group, std::string_view raw, std::size_t at) {
    char* out = key_words.data() + at;
    if constexpr (std::endian::native != std::endian::little) {
      out[0] = group;
      for (std::size_t i = 0; i < raw.size(); ++i) out[1 + i] = lower_ascii(raw[i]);
    } else {
      auto load = [&](std::size_t i) {
        std::uint64_t v;
        std::memcpy(&v, raw.data() + i, 8);
        return v;
      };
      const std::uint64_t first = static_cast<unsigned char>(group) | (lower_ascii8(load(0)) << 8);
      std::memcpy(out, &first, 8);
      for (std::size_t i = 7; i < raw.size(); i += 8) {
        const std::uint64_t v = lower_ascii8(load(i));
        std::memcpy(out + i + 1, &v, 8);
      }
    }
  }

  // A field's words in two passes: first every word's key and hash, asking for
  // the word's slot in word_ids; then each word is found there. The slots of the
  // words a record has in common with few others are cache misses, and this way
  // they overlap instead of coming one after the other.
  void add_field(const Impl& set, Field field, std::string_view text) {
    const int f = static_cast<int>(field);
    const auto first_tok = static_cast<std::uint32_t>(toks.size());
    field_begin[f] = first_tok;
    field_text[f] = text;
    const char group = static_cast<char>(Impl::group_of(field));
    WordScanner scanner(text);
    WordSpan w;
    std::size_t used = 0;  // of key_words
    field_keys.clear();
    while (scanner.next(w)) {
      const std::string_view folded_word = w.ascii ? std::string_view() : fold(w);
      const std::size_t len = 1 + (w.ascii ? w.raw.size() : folded_word.size());
      if (key_words.size() < used + len + 8) key_words.resize(std::max(2 * key_words.size(), used + len + 8));
      char* out = key_words.data() + used;
      if (w.ascii && text.size() - w.byte_offset >= w.raw.size() + 8) {
        ascii_key(group, w.raw, used);
      } else if (w.ascii) {  // near the end of the text: byte by byte
        *out++ = group;
        for (char c : w.raw) *out++ = lower_ascii(c);
      } else {
        *out++ = group;
        std::memcpy(out, folded_word.data(), folded_word.size());
      }
      const auto h = detail::hash_bytes(std::string_view(key_words.data() + used, len));
      word_ids.prefetch(h);
      field_keys.push_back({h, static_cast<std::uint32_t>(used), static_cast<std::uint32_t>(len)});
      used += len;
      toks.push_back({kNone, kNone, w.sentence, w.paragraph, w.offset, w.length, w.byte_offset,
                      static_cast<std::uint32_t>(w.raw.size()), field, w.ascii});
    }
    for (auto& k : field_keys) {  // the words' entries: fetched before they are read
      const std::string_view key(key_words.data() + k.off, k.len);
      const auto next = static_cast<std::uint32_t>(words.size());
      const auto id = word_ids.insert(key, k.hash, next);
      if (id == next) add_word(set, key, k.hash);
      __builtin_prefetch(words.data() + id);
      k.off = id;  // the key is not needed any more
    }
    for (std::uint32_t i = 0; i < field_keys.size(); ++i) {
      Word& word = words[field_keys[i].off];
      const auto tok = first_tok + i;
      std::uint32_t d;
      if (word.stamp != stamp) {  // the first time in this record
        d = static_cast<std::uint32_t>(distincts.size());
        word.stamp = stamp;
        word.distinct = d;
        distincts.push_back({word.key_off, word.key_len, tok, tok, word.atom});
        if (word.atom != kNone) mark(word.atom, d);
        for (std::uint32_t j = 0; j < word.prefix_count; ++j) {
          const auto a = word_prefixes[word.prefixes + j];
          prefix_hits.emplace_back(a, d);
          mark(a, 0);  // the slot is set once prefix_hits is sorted
        }
      } else {
        d = word.distinct;
        toks[distincts[d].last].next = tok;
        distincts[d].last = tok;
      }
      toks[tok].distinct = d;
    }
    field_begin[f + 1] = static_cast<std::uint32_t>(toks.size());
  }

  // A word not seen before: its word atom and the prefix atoms it starts with.
  void add_word(const Impl& set, std::string_view key, std::uint64_t h) {
    Word word{0,
              0,
              kNone,
              static_cast<std::uint32_t>(word_keys.size()),
              static_cast<std::uint32_t>(key.size()),
              static_cast<std::uint32_t>(word_prefixes.size()),
              0};
    word_keys += key;
    if (set.exact_filter().may_contain(h)) word.atom = set.exact().find(key, h);
    prefixes_of(set, key);
    word.prefix_count = static_cast<std::uint32_t>(word_prefixes.size()) - word.prefixes;
    words.push_back(word);
  }

  // Appends to word_prefixes the prefix atoms a word (group byte + word) starts with.
  void prefixes_of(const Impl& set, std::string_view key) {
    if (set.heads().size() == 0) return;
    // A prefix of 3 code points is filed under itself, a longer one under its
    // first 4 (compile.cpp): the word looks both up, and each list is short.
    // The filter holds the first 3 code points of every prefix: most words stop there.
    std::size_t pos = 1;
    for (int cps = 1; cps <= 4; ++cps) {
      if (pos >= key.size()) return;  // fewer code points than that
      if (static_cast<unsigned char>(key[pos]) < 0x80)
        ++pos;
      else
        next_code_point(key, pos);
      if (cps < 3) continue;
      const auto head_key = key.substr(0, pos);
      const auto hh = detail::hash_bytes(head_key);
      if (!set.head_filter().may_contain(hh)) return;
      const auto head = set.heads().find(head_key, hh);
      if (head != StringIndex::kNone) prefixes_under(set, key, head);
    }
  }

  // The prefix atoms of a head's list that the word (group byte + word) starts with.
  void prefixes_under(const Impl& set, std::string_view key, std::uint32_t head) {
    const std::string_view word = key.substr(1);
    const std::uint64_t word8 = detail::load_partial(word.data(), std::min<std::size_t>(8, word.size()));
    const auto* entries = set.head_atoms().data();
    for (auto k = set.head_offsets()[head]; k < set.head_offsets()[head + 1]; ++k) {
      const auto& e = entries[k];
      if (e.length > word.size()) continue;
      // The mask keeps the first `length` bytes of the 8 loaded.
      const std::uint64_t mask = e.length >= 8 ? ~std::uint64_t{0}
                                 : std::endian::native == std::endian::little
                                     ? (std::uint64_t{1} << (8 * e.length)) - 1
                                     : ~((~std::uint64_t{0}) >> (8 * e.length));
      if ((word8 & mask) != e.first8) continue;
      const auto a = e.atom;
      if (e.length <= 8 || detail::bytes_equal(word.data() + 8, set.atoms()[a].text.data() + 8, e.length - 8))
        word_prefixes.push_back(a);
    }
  }

  void add_meta(const Impl& set, Impl::Group group, std::string_view value) {
    if (value.empty()) return;
    key_buf.assign(1, static_cast<char>(group));
    key_buf += value;
    const auto a = set.exact().find(key_buf);
    if (a != StringIndex::kNone) mark(a, kNone);
  }

  void load(const Impl& set, const Document& doc) {
    begin(set);
    add_field(set, Field::title, doc.text(Field::title));
    add_field(set, Field::body, doc.text(Field::body));
    add_field(set, Field::url, doc.url());
    add_field(set, Field::author, doc.author());
    field_begin[kFields] = static_cast<std::uint32_t>(toks.size());
    // Prefix atoms: their distinct words, grouped.
    std::sort(prefix_hits.begin(), prefix_hits.end());
    for (std::size_t i = 0; i < prefix_hits.size(); ++i)
      if (i == 0 || prefix_hits[i].first != prefix_hits[i - 1].first)
        atom_slot[prefix_hits[i].first] = static_cast<std::uint32_t>(i);
    // Metadata: the host and every parent domain, the source, the language and its primary tag.
    std::string host(doc.host());
    for (char& c : host)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    for (std::string_view h = host; !h.empty();) {
      add_meta(set, Impl::kSite, h);
      const auto dot = h.find('.');
      if (dot == std::string_view::npos) break;
      h.remove_prefix(dot + 1);
    }
    add_meta(set, Impl::kSource, doc.source_id());
    std::string lang(doc.lang());
    for (char& c : lang) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c == '_') c = '-';
    }
    add_meta(set, Impl::kLang, lang);
    if (auto dash = lang.find('-'); dash != std::string::npos)
      add_meta(set, Impl::kLang, std::string_view(lang).substr(0, dash));
  }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// `?` is one code point, a final `*` any ending.
bool glob_match(std::string_view text, std::string_view glob) {
  std::size_t i = 0;
  for (std::size_t j = 0; j < glob.size(); ++j) {
    if (glob[j] == '*') return true;
    if (i >= text.size()) return false;
    if (glob[j] == '?') {
      next_code_point(text, i);
    } else if (text[i] == glob[j]) {
      ++i;
    } else {
      return false;
    }
  }
  return i == text.size();
}

// Evaluates compiled nodes against the record in the scratch.
class Evaluator {
 public:
  Evaluator(const Impl& set, Scratch& s) : set_(set), s_(s) {}

  bool case_ok(std::uint32_t tok, const Impl::Pattern& p) const {
    const std::string_view raw = s_.raw(tok);
    if (s_.toks[tok].ascii) {
      // The exact form may carry wildcards: compare like a glob.
      return glob_match(raw, set_.exact_text(p));
    }
    return glob_match(to_nfc(raw), set_.exact_text(p));
  }

  bool token_matches(std::uint32_t tok, const Impl::Pattern& p, bool case_sensitive) const {
    const std::uint32_t d = s_.toks[tok].distinct;
    if (!p.wildcard) {
      if (s_.distincts[d].atom != p.atom) return false;
    } else {
      const auto& atom = set_.atoms()[p.atom];
      if (s_.group_of(d) != atom.group || !glob_match(s_.folded_of(d), set_.glob(p))) return false;
    }
    return !case_sensitive || case_ok(tok, p);
  }

  // The tokens, in text order, that match a pattern in the given fields.
  void tokens_of(const Impl::Pattern& p, std::uint8_t fields, bool case_sensitive,
                 std::vector<std::uint32_t>& out) const {
    out.clear();
    if (!s_.has(p.atom)) return;
    auto take_chain = [&](std::uint32_t d) {
      for (auto t = s_.distincts[d].first; t != kNone; t = s_.toks[t].next) {
        if (!(field_bit(s_.toks[t].field) & fields)) continue;
        if (case_sensitive && !case_ok(t, p)) continue;
        out.push_back(t);
      }
    };
    if (!p.wildcard) {
      take_chain(s_.atom_slot[p.atom]);
      return;
    }
    for (auto k = s_.atom_slot[p.atom]; k < s_.prefix_hits.size() && s_.prefix_hits[k].first == p.atom; ++k) {
      const auto d = s_.prefix_hits[k].second;
      if (glob_match(s_.folded_of(d), set_.glob(p))) take_chain(d);
    }
    std::sort(out.begin(), out.end());
  }

  const Impl::Pattern& pattern(const Impl::Term& t, std::uint32_t i) const {
    return set_.term_patterns()[t.first + i];
  }

  const std::vector<Occ>& occurrences(std::uint32_t term_id) {
    if (const auto slot = s_.term_slot(term_id); slot != kNone) return s_.occ_pool[slot];
    auto& out = s_.new_occ();
    const auto slot = static_cast<std::uint32_t>(s_.occ_used - 1);
    compute(set_.terms()[term_id], out);
    s_.set_term_slot(term_id, slot);
    return s_.occ_pool[slot];
  }

  void compute(const Impl::Term& t, std::vector<Occ>& out) {
    tokens_of(pattern(t, 0), t.fields, t.case_sensitive, buf_);
    if (t.count == 1) {
      for (auto tok : buf_) out.push_back({tok, tok, 0});
      return;
    }
    if (t.slop < 0) {  // consecutive words in one paragraph
      for (auto tok : buf_) {
        const Field f = s_.toks[tok].field;
        const auto last = tok + t.count - 1;
        if (last >= s_.field_end(f) || s_.toks[last].paragraph != s_.toks[tok].paragraph) continue;
        bool ok = true;
        for (std::uint32_t j = 1; ok && j < t.count; ++j)
          ok = token_matches(tok + j, pattern(t, j), t.case_sensitive);
        if (ok) out.push_back({tok, last, 0});
      }
      return;
    }
    within(t, out);
  }

  // "…"~N: a token for every word, all different, within N positions of one field.
  void within(const Impl::Term& t, std::vector<Occ>& out) {
    std::vector<std::vector<std::uint32_t>> lists(t.count);
    for (std::uint32_t j = 0; j < t.count; ++j) {
      tokens_of(pattern(t, j), t.fields, t.case_sensitive, lists[j]);
      if (lists[j].empty()) return;
    }
    std::vector<std::pair<std::uint32_t, std::uint32_t>> anchors;  // (token, word)
    for (std::uint32_t j = 0; j < t.count; ++j)
      for (auto tok : lists[j]) anchors.emplace_back(tok, j);
    std::sort(anchors.begin(), anchors.end());
    std::vector<std::uint32_t> chosen(t.count);
    std::uint32_t last_anchor = kNone;
    for (const auto& [a, j0] : anchors) {
      if (a == last_anchor) continue;  // found from this token already
      const Field f = s_.toks[a].field;
      const std::uint32_t hi =
          std::min<std::uint32_t>(a + static_cast<std::uint32_t>(t.slop), s_.field_end(f) - 1);
      chosen.assign(t.count, kNone);
      chosen[j0] = a;
      if (assign(lists, chosen, 0, a, hi)) {
        out.push_back({a, *std::max_element(chosen.begin(), chosen.end()), 0});
        last_anchor = a;
      }
    }
  }

  static bool assign(const std::vector<std::vector<std::uint32_t>>& lists, std::vector<std::uint32_t>& chosen,
                     std::size_t j, std::uint32_t lo, std::uint32_t hi) {
    if (j == lists.size()) return true;
    if (chosen[j] != kNone) return assign(lists, chosen, j + 1, lo, hi);
    const auto& l = lists[j];
    for (auto it = std::lower_bound(l.begin(), l.end(), lo); it != l.end() && *it <= hi; ++it) {
      if (std::find(chosen.begin(), chosen.end(), *it) != chosen.end()) continue;
      chosen[j] = *it;
      if (assign(lists, chosen, j + 1, lo, hi)) return true;
      chosen[j] = kNone;
    }
    return false;
  }

  bool eval(std::uint32_t index) {
    const auto& n = set_.nodes()[index];
    switch (n.kind) {
      case QueryNode::Kind::term: {
        if (n.presence != kNone) return s_.has(n.presence);
        return occurrences(n.arg).size() >= set_.terms()[n.arg].repeat;
      }
      case QueryNode::Kind::meta:
        return s_.has(n.arg);
      case QueryNode::Kind::not_:
        return !eval(n.begin);
      case QueryNode::Kind::and_:
        for (auto k = n.begin; k < n.end; ++k)
          if (!eval(k)) return false;
        return true;
      case QueryNode::Kind::or_:
        for (auto k = n.begin; k < n.end; ++k)
          if (eval(k)) return true;
        return false;
      case QueryNode::Kind::near:
        return near(n, nullptr);
    }
    return false;
  }

  // The occurrences of a NEAR operand: a term, or an OR of terms.
  void operand(std::uint32_t index, std::vector<Occ>& out) {
    const auto& n = set_.nodes()[index];
    if (n.kind == QueryNode::Kind::term) {
      for (Occ o : occurrences(n.arg)) {
        o.written = n.written;
        out.push_back(o);
      }
      return;
    }
    for (auto k = n.begin; k < n.end; ++k) operand(k, out);
  }

  bool near_ok(const Impl::Node& n, const Occ& a, const Occ& b) const {
    if (s_.toks[a.first].field != s_.toks[b.first].field) return false;
    if (!(a.last < b.first || b.last < a.first)) return false;  // they overlap
    const bool a_first = a.last < b.first;
    if (n.ordered && !a_first) return false;
    const auto lo = std::min(a.first, b.first);
    const auto hi = std::max(a.last, b.last);
    switch (n.unit) {
      case NearUnit::words: {
        const auto gap = a_first ? s_.pos(b.first) - s_.pos(a.last) : s_.pos(a.first) - s_.pos(b.last);
        return gap <= n.arg;
      }
      case NearUnit::sentence:
        return s_.toks[lo].sentence == s_.toks[hi].sentence;
      case NearUnit::paragraph:
        return s_.toks[lo].paragraph == s_.toks[hi].paragraph;
    }
    return false;
  }

  // Whether some pair of operand occurrences is near; with `hits`, every such pair's occurrences.
  bool near(const Impl::Node& n, std::vector<Occ>* hits) {
    auto& a = near_a_;
    auto& b = near_b_;
    a.clear();
    b.clear();
    operand(n.begin, a);
    if (a.empty()) return false;
    operand(n.begin + 1, b);
    bool found = false;
    for (const Occ& x : a) {
      for (const Occ& y : b) {
        if (!near_ok(n, x, y)) continue;
        if (!hits) return true;
        found = true;
        hits->push_back(x);
        hits->push_back(y);
      }
    }
    return found;
  }

  // The terms that make a true node true, and their occurrences.
  void collect(std::uint32_t index, std::vector<bool>& contributing, std::vector<Occ>& hits) {
    const auto& n = set_.nodes()[index];
    switch (n.kind) {
      case QueryNode::Kind::term:
        contributing[n.written] = true;
        for (Occ o : occurrences(n.arg)) {
          o.written = n.written;
          hits.push_back(o);
        }
        return;
      case QueryNode::Kind::meta:
        contributing[n.written] = true;
        return;
      case QueryNode::Kind::not_:
        return;
      case QueryNode::Kind::and_:
        for (auto k = n.begin; k < n.end; ++k) collect(k, contributing, hits);
        return;
      case QueryNode::Kind::or_:
        for (auto k = n.begin; k < n.end; ++k)
          if (eval(k)) collect(k, contributing, hits);
        return;
      case QueryNode::Kind::near: {
        const auto start = hits.size();
        near(n, &hits);
        for (auto i = start; i < hits.size(); ++i) contributing[hits[i].written] = true;
        return;
      }
    }
  }

  bool source_ok(const RuleInfo& info, const Document& doc) const {
    if (info.sources.empty()) return true;
    const auto id = doc.source_id();
    return std::find(info.sources.begin(), info.sources.end(), id) != info.sources.end();
  }

  // Whether the other required clauses of a reached rule occur.
  bool clauses_ok(std::uint32_t check) const {
    const std::uint32_t* p = set_.checks().data() + check + 1;  // past the root node
    for (std::uint32_t c = *p++; c > 0; --c) {
      const std::uint32_t n = *p++;
      bool any = false;
      for (std::uint32_t k = 0; k < n && !any; ++k) any = s_.has(p[k]);
      if (!any) return false;
      p += n;
    }
    return true;
  }

  Match build_match(std::uint32_t r);
  std::string snippet(const Occ& hit);

 private:
  const Impl& set_;
  Scratch& s_;
  std::vector<std::uint32_t> buf_;
  std::vector<Occ> near_a_, near_b_;
  std::vector<bool> contributing_;
  std::vector<Occ> found_;
  std::vector<std::string_view> written_;
  std::vector<char32_t> snippet_cps_;
  std::vector<std::uint32_t> snippet_at_;
};

// The code point at `pos`, moving past it; ASCII without a call.
char32_t decode(std::string_view text, std::size_t& pos) {
  const auto c = static_cast<unsigned char>(text[pos]);
  if (c < 0x80) {
    ++pos;
    return c;
  }
  return next_code_point(text, pos);
}

bool space(char32_t c) { return c < 0x80 ? c == ' ' || (c >= 0x09 && c <= 0x0D) : is_space(c); }

bool is_word_at(const std::vector<char32_t>& cps, std::size_t i) { return is_word_char(cps[i]); }

std::string Evaluator::snippet(const Occ& hit) {
  const Field field = s_.toks[hit.first].field;
  const std::string_view text = s_.field_text[static_cast<int>(field)];
  const std::uint32_t fb = s_.field_begin[static_cast<int>(field)];
  const std::uint32_t fe = s_.field_end(field);
  const auto& toks = s_.toks;

  // The sentence(s) the hit lies in, from their first word to their last, widened
  // over adjacent punctuation such as opening quotes and the final full stop.
  std::uint32_t a = hit.first;
  while (a > fb && toks[a - 1].sentence == toks[hit.first].sentence) --a;
  std::uint32_t b = hit.last;
  while (b + 1 < fe && toks[b + 1].sentence == toks[hit.last].sentence) ++b;

  // Decode only that stretch of the text (and a little around it), not the field.
  std::size_t from = toks[a].byte_off;
  for (int back = 0; from > 0 && back < 64; ++back) {
    --from;
    while (from > 0 && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) --from;
  }
  std::size_t to = static_cast<std::size_t>(toks[b].byte_off) + toks[b].byte_len;
  while (to < text.size() && text[to] != ' ' && text[to] != '\n') ++to;  // to the next space
  to = std::min(text.size(), to + 8);
  while (to < text.size() && (static_cast<unsigned char>(text[to]) & 0xC0) == 0x80) ++to;

  // Most sentences fit in a snippet: then it runs from the last space before the
  // first word (within the stretch) to the first space after the last word,
  // found by decoding just those ends. Longer ones take the window below.
  {
    std::size_t sb = from;
    std::size_t count = static_cast<std::size_t>(toks[b].cp_off) + toks[b].cp_len - toks[a].cp_off;
    std::size_t back = 0;
    for (std::size_t p = from; p < toks[a].byte_off;) {
      if (space(decode(text, p))) {
        sb = p;
        back = 0;
      } else {
        ++back;
      }
    }
    count += back;
    std::size_t eb = static_cast<std::size_t>(toks[b].byte_off) + toks[b].byte_len;
    for (std::size_t q = eb; eb < to && count <= kSnippetMax; eb = q, ++count)
      if (space(decode(text, q))) break;
    if (count <= kSnippetMax) return std::string(text.substr(sb, eb - sb));
  }

  // The code points of that stretch, and where each starts in `text`.
  auto& cps = snippet_cps_;
  auto& at = snippet_at_;
  cps.clear();
  at.clear();
  for (std::size_t p = from; p < to;) {
    at.push_back(static_cast<std::uint32_t>(p));
    cps.push_back(static_cast<unsigned char>(text[p]) < 0x80 ? static_cast<char32_t>(text[p++])
                                                             : next_code_point(text, p));
  }
  at.push_back(static_cast<std::uint32_t>(to));
  const std::size_t base = toks[a].cp_off - code_point_count(text.substr(from, toks[a].byte_off - from));
  auto local = [&](std::size_t cp) { return cp - base; };

  std::size_t s = local(toks[a].cp_off);
  std::size_t e = local(static_cast<std::size_t>(toks[b].cp_off) + toks[b].cp_len);
  while (s > 0 && !is_space(cps[s - 1])) --s;
  while (e < cps.size() && !is_space(cps[e])) ++e;

  const std::size_t h = local(toks[hit.first].cp_off);
  const std::size_t he = local(static_cast<std::size_t>(toks[hit.last].cp_off) + toks[hit.last].cp_len);
  std::size_t ws = s;
  std::size_t we = e;
  if (e - s > kSnippetMax) {
    // A window around the hit, cut back to whole words.
    const std::size_t extra = kSnippetMax > he - h ? kSnippetMax - (he - h) : 0;
    ws = std::max(s, h - std::min(h, extra / 2));
    we = std::min(e, ws + kSnippetMax);
    ws = std::max(s, we - kSnippetMax);
    if (ws > s && is_word_at(cps, ws - 1) && is_word_at(cps, ws))
      while (ws < h && is_word_at(cps, ws)) ++ws;
    const std::size_t floor = he <= we ? he : ws + 1;
    if (we < e && is_word_at(cps, we - 1) && is_word_at(cps, we))
      while (we > floor && is_word_at(cps, we - 1)) --we;
  }
  while (ws < we && is_space(cps[ws])) ++ws;
  while (we > ws && is_space(cps[we - 1])) --we;
  return std::string(text.substr(at[ws], at[we] - at[ws]));
}

Match Evaluator::build_match(std::uint32_t r) {
  const Impl::Rule& rule = set_.compiled()[r];
  auto& contributing = contributing_;
  auto& found = found_;
  auto& written = written_;
  set_.written_terms(rule, written);
  contributing.assign(written.size(), false);
  found.clear();
  collect(rule.root, contributing, found);
  std::sort(found.begin(), found.end(), [](const Occ& x, const Occ& y) {
    if (x.first != y.first) return x.first < y.first;
    if (x.last != y.last) return x.last < y.last;
    return x.written < y.written;
  });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const Occ& x, const Occ& y) {
                            return x.first == y.first && x.last == y.last && x.written == y.written;
                          }),
              found.end());
  Match m;
  m.matched.reserve(static_cast<std::size_t>(std::count(contributing.begin(), contributing.end(), true)));
  for (std::size_t w = 0; w < written.size(); ++w)
    if (contributing[w]) m.matched.emplace_back(written[w]);
  m.hits.reserve(found.size());
  const Occ* first_text = nullptr;
  for (const Occ& o : found) {
    const Tok& a = s_.toks[o.first];
    const Tok& b = s_.toks[o.last];
    m.hits.push_back({std::string(written[o.written]), a.field, a.cp_off, b.cp_off + b.cp_len - a.cp_off});
    if (!first_text && (a.field == Field::title || a.field == Field::body)) first_text = &o;
  }
  if (first_text) m.snippet = snippet(*first_text);
  const RuleInfo& info = set_.infos()[r];
  m.rule_id = info.id;
  m.topic = info.topic;
  m.severity = info.severity;
  return m;
}

std::string atom_text(const Impl::Atom& a) {
  std::string prefix;
  switch (a.group) {
    case Impl::kText:
      break;
    case Impl::kUrl:
      prefix = "url:";
      break;
    case Impl::kAuthor:
      prefix = "author:";
      break;
    case Impl::kSite:
      prefix = "site:";
      break;
    case Impl::kSource:
      prefix = "source:";
      break;
    case Impl::kLang:
      prefix = "lang:";
      break;
  }
  return prefix + a.text + (a.kind == Impl::AtomKind::prefix ? "*" : "");
}

std::string cp_slice(std::string_view text, std::size_t from, std::size_t to) {
  std::size_t pos = 0;
  std::size_t i = 0;
  std::string out;
  while (pos < text.size() && i < to) {
    const std::size_t start = pos;
    next_code_point(text, pos);
    if (i >= from) out.append(text.substr(start, pos - start));
    ++i;
  }
  return out;
}

}  // namespace

// ---- RuleSet::Impl -------------------------------------------------------------

std::vector<Match> Impl::match(const Document& doc, MatchStats* stats) const {
  std::vector<Match> out;
  if (rules_.empty()) return out;
  Scratch& s = scratch();
  s.load(*this, doc);
  Evaluator ev(*this, s);

  // A rule indexed under a clause of several atoms may be reached more than
  // once; the few candidates are sorted and made unique instead of stamping
  // every rule reached.
  // The index entries of the atoms found, fetched together.
  for (const auto atom : s.present) __builtin_prefetch(posting_offsets_.data() + atom);
  for (const auto atom : s.present) __builtin_prefetch(postings_.data() + posting_offsets_[atom]);
  std::size_t reached = 0;
  for (std::size_t i = 0; i < s.present.size(); ++i) {
    const auto atom = s.present[i];
    const Posting* p = postings_.data() + posting_offsets_[atom];
    const Posting* end = postings_.data() + posting_offsets_[atom + 1];
    reached += static_cast<std::size_t>(end - p);
    for (; p < end; ++p) {
      if (p->a0 != kNone && !s.has(p->a0) && !s.has(p->a1)) continue;
      if (p->check != kNone) {
        // The other clauses: fetched for every such entry first, so that their
        // cache misses overlap.
        __builtin_prefetch(checks_.data() + p->check);
        s.pending.push_back(s.candidates.size());
        s.pending.push_back(p->check);
      }
      s.candidates.push_back((std::uint64_t{p->rule} << 32) | p->root);
      // The rule's nodes, for evaluation, and where its terms as written are.
      __builtin_prefetch(nodes_.data() + (p->root & ~kRestricted));
      __builtin_prefetch(rules_.data() + p->rule);
    }
  }
  // Candidates whose other clauses do not all occur are dropped (set to kDropped).
  for (std::size_t i = 0; i < s.pending.size(); i += 2)
    if (!ev.clauses_ok(static_cast<std::uint32_t>(s.pending[i + 1]))) s.candidates[s.pending[i]] = kDropped;
  for (auto r : unindexed_)
    s.candidates.push_back((std::uint64_t{r} << 32) | rules_[r].root |
                           (infos_[r].sources.empty() ? 0 : kRestricted));
  std::sort(s.candidates.begin(), s.candidates.end());
  s.candidates.erase(std::unique(s.candidates.begin(), s.candidates.end()), s.candidates.end());
  if (!s.candidates.empty() && s.candidates.back() == kDropped) s.candidates.pop_back();

  // Evaluating a candidate reads its nodes (fetched above), then its terms,
  // then their patterns, then (when it matches) its id, topic and terms as
  // written. A record has a few dozen candidates: each of these is fetched for
  // all of them in turn, before any is evaluated, so that the misses overlap
  // (one candidate's evaluation is too short to hide the next one's).
  auto ahead = [&](auto&& self, std::uint32_t index, int depth, bool patterns) -> void {
    const Node& n = nodes_[index];
    if (n.kind == QueryNode::Kind::term) {
      if (patterns)
        __builtin_prefetch(term_patterns_.data() + terms_[n.arg].first);
      else
        __builtin_prefetch(terms_.data() + n.arg);
    } else if (n.kind != QueryNode::Kind::meta && depth > 0) {
      for (auto k = n.begin; k < n.end; ++k) self(self, k, depth - 1, patterns);
    }
  };
  auto root_of = [&](std::size_t i) { return static_cast<std::uint32_t>(s.candidates[i]) & ~kRestricted; };
  auto rule_of = [&](std::size_t i) { return static_cast<std::uint32_t>(s.candidates[i] >> 32); };
  for (std::size_t i = 0; i < s.candidates.size(); ++i) ahead(ahead, root_of(i), 3, false);
  for (std::size_t i = 0; i < s.candidates.size(); ++i) {
    ahead(ahead, root_of(i), 3, true);
    prefetch_written(rules_[rule_of(i)]);
    __builtin_prefetch(&infos_[rule_of(i)].id);
    __builtin_prefetch(&infos_[rule_of(i)].topic);
  }

  std::size_t candidates = 0;
  out.reserve(std::min<std::size_t>(s.candidates.size(), 64));
  for (std::size_t i = 0; i < s.candidates.size(); ++i) {
    const auto r = static_cast<std::uint32_t>(s.candidates[i] >> 32);
    const auto root = static_cast<std::uint32_t>(s.candidates[i]);
    if ((root & kRestricted) && !ev.source_ok(infos_[r], doc)) continue;
    ++candidates;
    if (!ev.eval(root & ~kRestricted)) continue;
    out.push_back(ev.build_match(r));
  }
  if (stats) {
    stats->reached += reached;
    stats->candidates += candidates;
    stats->matched += out.size();
  }
  return out;
}

std::optional<Match> Impl::match_rule(std::size_t index, const Document& doc, bool apply_sources) const {
  if (index >= rules_.size()) return std::nullopt;
  Scratch& s = scratch();
  s.load(*this, doc);
  Evaluator ev(*this, s);
  const auto r = static_cast<std::uint32_t>(index);
  if (apply_sources && !ev.source_ok(infos_[r], doc)) return std::nullopt;
  if (!ev.eval(rules_[r].root)) return std::nullopt;
  return ev.build_match(r);
}

std::vector<Explanation> Impl::explain(const Document& doc, const std::vector<std::string>& ids) const {
  std::vector<std::uint32_t> which;
  if (ids.empty()) {
    for (std::uint32_t r = 0; r < rules_.size(); ++r) which.push_back(r);
  } else {
    for (const auto& id : ids)
      if (auto r = find(id)) which.push_back(static_cast<std::uint32_t>(*r));
  }
  Scratch& s = scratch();
  s.load(*this, doc);
  Evaluator ev(*this, s);
  std::vector<Explanation> out;
  for (auto r : which) {
    const Rule& rule = rules_[r];
    const RuleInfo& info = infos_[r];
    Explanation e;
    e.rule_id = info.id;
    e.enabled = info.enabled;
    e.source_ok = ev.source_ok(info, doc);
    for (auto c = rule.clause_begin; c < rule.clause_end; ++c) {
      bool any = false;
      std::string text;
      for (auto k = clause_offsets_[c]; k < clause_offsets_[c + 1]; ++k) {
        any = any || s.has(clause_atoms_[k]);
        text += (text.empty() ? "" : " OR ") + atom_text(atoms_[clause_atoms_[k]]);
      }
      if (!any) e.missing.push_back(text);
    }
    e.candidate = e.missing.empty();
    const auto query = info.query;
    std::vector<std::string_view> written;
    written_terms(rule, written);
    auto node_text = [&](const Node& n) {
      if (n.kind == QueryNode::Kind::term || n.kind == QueryNode::Kind::meta)
        return std::string(written[n.written]);
      return cp_slice(query, static_cast<std::size_t>(n.from), static_cast<std::size_t>(n.to));
    };
    auto describe_occ = [&](const std::vector<Occ>& occ) {
      std::string d = std::to_string(occ.size()) + (occ.size() == 1 ? " hit" : " hits");
      for (std::size_t i = 0; i < occ.size() && i < 5; ++i) {
        const Tok& a = s.toks[occ[i].first];
        const Tok& b = s.toks[occ[i].last];
        const auto text =
            s.field_text[static_cast<int>(a.field)].substr(a.byte_off, b.byte_off + b.byte_len - a.byte_off);
        d += (i ? ", " : ": ") + std::string(field_name(a.field)) + " " + std::to_string(a.cp_off) + "+" +
             std::to_string(b.cp_off + b.cp_len - a.cp_off) + " `" + std::string(text) + "`";
      }
      if (occ.size() > 5) d += ", …";
      return d;
    };
    auto walk = [&](auto&& self, std::uint32_t index, int depth) -> void {
      const Node& n = nodes_[index];
      Explanation::Line line;
      line.depth = depth;
      line.node = node_text(n);
      line.value = ev.eval(index);
      switch (n.kind) {
        case QueryNode::Kind::term: {
          const auto& occ = ev.occurrences(n.arg);
          line.detail = describe_occ(occ);
          if (terms_[n.arg].repeat > 1)
            line.detail += " (needs " + std::to_string(terms_[n.arg].repeat) + ")";
          break;
        }
        case QueryNode::Kind::meta: {
          const Atom& a = atoms_[n.arg];
          std::string v = a.group == kSite     ? std::string(doc.host())
                          : a.group == kSource ? std::string(doc.source_id())
                                               : std::string(doc.lang());
          line.detail = "record " +
                        std::string(a.group == kSite     ? "site"
                                    : a.group == kSource ? "source"
                                                         : "lang") +
                        " `" + v + "`";
          break;
        }
        case QueryNode::Kind::near: {
          std::vector<Occ> pairs;
          ev.near(n, &pairs);
          line.detail =
              std::to_string(pairs.size() / 2) + (pairs.size() == 2 ? " pair" : " pairs") + " near enough";
          break;
        }
        default:
          break;
      }
      e.lines.push_back(std::move(line));
      if (n.kind != QueryNode::Kind::term && n.kind != QueryNode::Kind::meta)
        for (auto k = n.begin; k < n.end; ++k) self(self, k, depth + 1);
    };
    walk(walk, rule.root, 0);
    e.matched = e.enabled && e.source_ok && !e.lines.empty() && e.lines.front().value;
    out.push_back(std::move(e));
  }
  return out;
}

// ---- RuleSet -----------------------------------------------------------------

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::info:
      return "info";
    case Severity::low:
      return "low";
    case Severity::medium:
      return "medium";
    case Severity::high:
      return "high";
    case Severity::critical:
      return "critical";
  }
  return "medium";
}

RuleSet::RuleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleSet::~RuleSet() = default;
std::size_t RuleSet::size() const { return impl_->infos().size(); }
const std::vector<RuleInfo>& RuleSet::rules() const { return impl_->infos(); }
std::optional<std::size_t> RuleSet::find(std::string_view id) const { return impl_->find(id); }
std::vector<Match> RuleSet::match(const Document& doc) const { return impl_->match(doc, nullptr); }
std::vector<Match> RuleSet::match(const Document& doc, MatchStats& stats) const {
  return impl_->match(doc, &stats);
}
std::optional<Match> RuleSet::match_rule(std::size_t index, const Document& doc,
                                         RuleMatchOptions options) const {
  return impl_->match_rule(index, doc, options.apply_sources);
}
std::vector<Explanation> RuleSet::explain(const Document& doc, const std::vector<std::string>& ids) const {
  return impl_->explain(doc, ids);
}
RuleSetStats RuleSet::stats() const { return impl_->stats(); }

std::vector<RuleTestResult> RuleSet::run_tests() const {
  std::vector<RuleTestResult> out;
  const auto& infos = impl_->infos();
  for (std::size_t r = 0; r < infos.size(); ++r) {
    const RuleInfo& info = infos[r];
    if (info.tests.match.empty() && info.tests.no_match.empty()) continue;
    RuleTestResult result;
    result.rule_id = info.id;
    result.enabled = info.enabled;
    auto run = [&](const RuleTestCase& c, bool expected) {
      ++result.cases;
      const TextDocument doc(c.record);
      auto m = impl_->match_rule(r, doc, !c.record.source_id.empty());
      if (expected && !m) result.failures.push_back({true, c.where, messages::test_expected_match()});
      if (!expected && m) {
        std::string terms;
        for (const auto& t : m->matched) terms += (terms.empty() ? "" : ", ") + messages::quoted(t);
        result.failures.push_back({false, c.where, messages::test_expected_no_match(terms)});
      }
    };
    for (const auto& c : info.tests.match) run(c, true);
    for (const auto& c : info.tests.no_match) run(c, false);
    out.push_back(std::move(result));
  }
  return out;
}

}  // namespace wirewatch::rules
