// Compiling parsed queries into the rule set: nodes, terms, patterns, atoms, the
// required clauses of every rule and the index from atoms to rules.

#include <algorithm>
#include <atomic>
#include <cstring>

#include "rule_set_impl.hpp"
#include "wirewatch/common/text.hpp"

namespace wirewatch::rules {
namespace {

constexpr std::size_t kMaxOrProduct = 16;  // clauses an OR may multiply into
constexpr std::size_t kMaxClauses = 8;     // clauses kept per rule

// The first `n` code points of `s`.
std::string_view first_code_points(std::string_view s, std::size_t n) {
  std::size_t pos = 0;
  for (std::size_t i = 0; i < n && pos < s.size(); ++i) next_code_point(s, pos);
  return s.substr(0, pos);
}

void normalize(std::vector<std::vector<std::uint32_t>>& clauses) {
  for (auto& c : clauses) {
    std::sort(c.begin(), c.end());
    c.erase(std::unique(c.begin(), c.end()), c.end());
  }
  std::sort(clauses.begin(), clauses.end());
  clauses.erase(std::unique(clauses.begin(), clauses.end()), clauses.end());
}

}  // namespace

std::uint64_t RuleSet::Impl::next_serial() {
  static std::atomic<std::uint64_t> last{0};
  return ++last;
}

std::uint32_t RuleSet::Impl::atom(AtomKind kind, Group group, std::string_view text) {
  std::string& key = key_buf_;
  key.assign(1, static_cast<char>(group));
  key += text;
  auto& table = kind == AtomKind::prefix ? prefixes_ : exact_;
  const auto next = static_cast<std::uint32_t>(atoms_.size());
  const auto h = detail::hash_bytes(key);
  const auto id = table.insert(key, h, next);
  if (id != next) return id;
  if (kind != AtomKind::prefix) exact_filter_.add(h);
  atoms_.push_back({kind, group, std::string(text)});
  if (kind == AtomKind::prefix) {
    std::string head(1, static_cast<char>(group));
    head += first_code_points(text, 4);  // a 3-letter prefix: itself (see match.cpp)
    const auto hh = detail::hash_bytes(head);
    head_filter_.add(hh);
    // The first 3 code points too, even for a longer prefix: a word whose first
    // 3 are in no prefix skips the lookups.
    head_filter_.add(detail::hash_bytes(head.substr(0, 1 + first_code_points(text, 3).size())));
    const auto head_id = heads_.insert(head, hh, static_cast<std::uint32_t>(head_lists_.size()));
    if (head_id == head_lists_.size()) head_lists_.emplace_back();
    head_lists_[head_id].push_back(id);
  }
  return id;
}

std::uint32_t RuleSet::Impl::pattern(Group group, const std::string& word, const std::string& exact,
                                     bool case_sensitive) {
  const auto wild = word.find_first_of("*?");
  if (wild == std::string::npos && !case_sensitive) {
    // A plain word, the common case: its pattern is found through its atom, by
    // index, instead of by a key in one more large table.
    const auto a = atom(AtomKind::word, group, word);
    if (atom_patterns_.size() <= a) atom_patterns_.resize(atoms_.size(), kNone);
    if (atom_patterns_[a] != kNone) return atom_patterns_[a];
    atom_patterns_[a] = static_cast<std::uint32_t>(patterns_.size());
    patterns_.push_back({a, kNone, false});
    return atom_patterns_[a];
  }
  std::string& key = pattern_key_;
  key.assign(1, static_cast<char>(group));
  if (case_sensitive) key += exact;
  key += '\x1f';
  key += word;
  const auto next = static_cast<std::uint32_t>(patterns_.size());
  const auto id = pattern_ids_.insert(key, next);
  if (id != next) return id;
  Pattern p;
  p.wildcard = wild != std::string::npos;
  if (p.wildcard || case_sensitive) {
    p.text = static_cast<std::uint32_t>(pattern_texts_.size());
    pattern_texts_.push_back({p.wildcard ? word : std::string(), case_sensitive ? exact : std::string()});
  }
  if (p.wildcard)
    p.atom = atom(AtomKind::prefix, group, std::string_view(word).substr(0, wild));
  else
    p.atom = atom(AtomKind::word, group, word);
  patterns_.push_back(p);
  return id;
}

std::uint32_t RuleSet::Impl::term(const QueryNode& n) {
  // A term matches in the fields of one group: title and body, url or author.
  const Group group = (n.fields & kUrlBit) ? kUrl : (n.fields & kAuthorBit) ? kAuthor : kText;
  std::vector<std::uint32_t>& ids = term_patterns_buf_;
  ids.clear();
  for (std::size_t i = 0; i < n.words.size(); ++i)
    ids.push_back(pattern(group, n.words[i], n.exact[i], n.case_sensitive));
  // A single pattern in title or body, the common case: the term is found
  // through its pattern, by index. Any other: by a key.
  if (ids.size() == 1 && !n.case_sensitive && n.slop == -1 && n.repeat == 1 && n.fields == kTextBits) {
    if (pattern_terms_.size() <= ids[0]) pattern_terms_.resize(patterns_.size(), kNone);
    if (pattern_terms_[ids[0]] == kNone) pattern_terms_[ids[0]] = new_term(n, group, ids);
    return pattern_terms_[ids[0]];
  }
  // The key: fields, case, slop, repeat and the pattern ids, as raw bytes.
  std::string& key = term_key_;
  key.clear();
  auto put = [&](std::uint32_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
  key += static_cast<char>(n.fields);
  key += n.case_sensitive ? 'c' : 'i';
  put(static_cast<std::uint32_t>(n.slop));
  put(static_cast<std::uint32_t>(n.repeat));
  for (auto id : ids) put(id);
  const auto next = static_cast<std::uint32_t>(terms_.size());
  const auto id = term_ids_.insert(key, next);
  if (id != next) return id;
  return new_term(n, group, ids);
}

std::uint32_t RuleSet::Impl::new_term(const QueryNode& n, Group group,
                                      const std::vector<std::uint32_t>& ids) {
  Term t;
  t.first = static_cast<std::uint32_t>(term_patterns_.size());
  t.count = static_cast<std::uint32_t>(ids.size());
  for (auto pid : ids) term_patterns_.push_back(patterns_[pid]);  // copies: one read less per term
  t.slop = n.slop;
  t.repeat = static_cast<std::uint32_t>(n.repeat);
  t.fields = n.fields;
  t.case_sensitive = n.case_sensitive;
  const std::uint8_t whole_group = group == kUrl ? kUrlBit : group == kAuthor ? kAuthorBit : kTextBits;
  if (t.count == 1 && t.repeat == 1 && !t.case_sensitive && t.fields == whole_group &&
      !patterns_[ids[0]].wildcard)
    t.presence = patterns_[ids[0]].atom;
  terms_.push_back(t);
  return static_cast<std::uint32_t>(terms_.size() - 1);
}

// A node's children take consecutive slots, reserved before they are filled,
// so that a rule's nodes form one block, its root first, and evaluating a rule
// reads one stretch of memory.
void RuleSet::Impl::compile(const QueryNode& n, Rule& rule, std::uint32_t slot) {
  Node node;
  node.kind = n.kind;
  node.from = n.offset;
  node.to = n.end;
  // The rule's terms are the last ones packed in written_ (see written_terms()).
  auto written_index = [&](const std::string& w) {
    std::size_t at = rule.written;
    for (std::uint32_t i = 0; i < rule.written_count; ++i) {
      std::uint32_t len;
      std::memcpy(&len, written_.data() + at, 4);
      if (std::string_view(written_).substr(at + 4, len) == w) return i;
      at += 4 + len;
    }
    const auto len = static_cast<std::uint32_t>(w.size());
    written_.append(reinterpret_cast<const char*>(&len), 4);
    written_ += w;
    return rule.written_count++;
  };
  switch (n.kind) {
    case QueryNode::Kind::term:
      node.arg = term(n);
      node.presence = terms_[node.arg].presence;
      node.written = written_index(n.written);
      break;
    case QueryNode::Kind::meta: {
      const Group g = n.meta == MetaField::site ? kSite : n.meta == MetaField::source ? kSource : kLang;
      node.arg = atom(AtomKind::meta, g, n.value);
      node.written = written_index(n.written);
      break;
    }
    default: {
      node.unit = n.unit;
      node.ordered = n.ordered;
      node.arg = static_cast<std::uint32_t>(n.distance);
      node.begin = static_cast<std::uint32_t>(nodes_.size());
      node.end = node.begin + static_cast<std::uint32_t>(n.children.size());
      nodes_.resize(node.end);
      for (std::size_t i = 0; i < n.children.size(); ++i)
        compile(*n.children[i], rule, node.begin + static_cast<std::uint32_t>(i));
    }
  }
  nodes_[slot] = node;
}

double RuleSet::Impl::atom_cost(std::uint32_t a) const {
  // The chance that an atom occurs in a record, guessed from its kind and
  // length: long words are rarer than short ones, prefixes commoner than words,
  // and metadata values are shared by many records.
  const Atom& atom = atoms_[a];
  if (atom.kind == AtomKind::meta) return atom.group == kSite ? 20 : atom.group == kSource ? 30 : 60;
  const auto len = code_point_count(atom.text);
  const double w = len <= 2   ? 16
                   : len == 3 ? 10
                   : len == 4 ? 6
                   : len == 5 ? 4
                   : len == 6 ? 3
                   : len == 7 ? 2
                              : 1;
  return atom.kind == AtomKind::prefix ? 4 * w : w;
}

double RuleSet::Impl::cost(const std::vector<std::uint32_t>& clause) const {
  double total = 0;
  for (auto a : clause) total += atom_cost(a);
  return total;
}

RuleSet::Impl::Clauses RuleSet::Impl::required(std::uint32_t index) const {
  const Node& n = nodes_[index];
  Clauses out;
  switch (n.kind) {
    case QueryNode::Kind::term: {
      const Term& t = terms_[n.arg];
      for (std::uint32_t i = 0; i < t.count; ++i) out.push_back({term_patterns_[t.first + i].atom});
      break;
    }
    case QueryNode::Kind::meta:
      out.push_back({n.arg});
      break;
    case QueryNode::Kind::not_:
      break;
    case QueryNode::Kind::and_:
    case QueryNode::Kind::near:
      for (auto k = n.begin; k < n.end; ++k) {
        auto c = required(k);
        out.insert(out.end(), c.begin(), c.end());
      }
      break;
    case QueryNode::Kind::or_: {
      std::vector<Clauses> parts;
      for (auto k = n.begin; k < n.end; ++k) {
        parts.push_back(required(k));
        if (parts.back().empty()) return {};  // a branch that needs nothing
      }
      // (a1 ∧ a2) ∨ (b1 ∧ b2) needs each of a_i ∨ b_j; multiply while small,
      // else keep one clause: the cheapest clause of each branch joined.
      Clauses product = {{}};
      bool small = true;
      for (const auto& p : parts) {
        if (product.size() * p.size() > kMaxOrProduct) {
          small = false;
          break;
        }
        Clauses next;
        for (const auto& x : product)
          for (const auto& y : p) {
            auto z = x;
            z.insert(z.end(), y.begin(), y.end());
            next.push_back(std::move(z));
          }
        product = std::move(next);
      }
      if (small) {
        out = std::move(product);
      } else {
        std::vector<std::uint32_t> joined;
        for (const auto& p : parts) {
          const auto best = std::min_element(p.begin(), p.end(),
                                             [&](const auto& a, const auto& b) { return cost(a) < cost(b); });
          joined.insert(joined.end(), best->begin(), best->end());
        }
        out.push_back(std::move(joined));
      }
      break;
    }
  }
  normalize(out);
  return out;
}

void RuleSet::Impl::reserve(std::size_t rules) {
  infos_.reserve(rules);
  rules_.reserve(rules);
  written_.reserve(rules * 32);
  nodes_.reserve(rules * 5);
  ids_.reserve(rules);
  exact_.reserve(rules);
  pattern_ids_.reserve(rules);
  term_ids_.reserve(rules);
  atoms_.reserve(rules);
  patterns_.reserve(rules);
  terms_.reserve(rules);
}

void RuleSet::Impl::add(RuleInfo info, const QueryNode& root) {
  Rule rule;
  rule.root = static_cast<std::uint32_t>(nodes_.size());
  rule.written = static_cast<std::uint32_t>(written_.size());
  nodes_.emplace_back();
  compile(root, rule, rule.root);
  auto clauses = required(rule.root);
  if (clauses.size() > kMaxClauses) {  // keep the cheapest
    std::vector<std::pair<double, std::size_t>> ranked;
    for (std::size_t i = 0; i < clauses.size(); ++i) ranked.emplace_back(cost(clauses[i]), i);
    std::sort(ranked.begin(), ranked.end());
    Clauses kept;
    for (std::size_t i = 0; i < kMaxClauses; ++i) kept.push_back(std::move(clauses[ranked[i].second]));
    clauses = std::move(kept);
  }
  rule.clause_begin = static_cast<std::uint32_t>(clause_offsets_.size() - 1);
  for (const auto& c : clauses) {
    clause_atoms_.insert(clause_atoms_.end(), c.begin(), c.end());
    clause_offsets_.push_back(static_cast<std::uint32_t>(clause_atoms_.size()));
  }
  rule.clause_end = static_cast<std::uint32_t>(clause_offsets_.size() - 1);
  rule.primary = rule.clause_begin;
  ids_.insert(info.id, static_cast<std::uint32_t>(rules_.size()));
  rules_.push_back(std::move(rule));
  infos_.push_back(std::move(info));
}

// What indexing a rule under a clause costs per record: every atom of the
// clause that occurs walks the rules indexed under it. An atom many rules need
// (a context word such as `military`) is likely common in text too, and walks a
// long list; a name few rules need is the better key.
double RuleSet::Impl::index_cost(std::uint32_t clause, const std::vector<std::uint32_t>& usage) const {
  double total = 0;
  for (auto k = clause_offsets_[clause]; k < clause_offsets_[clause + 1]; ++k) {
    const auto a = clause_atoms_[k];
    total += (1.0 + usage[a]) * atom_cost(a);
  }
  return total;
}

RuleSet::Impl::Posting RuleSet::Impl::posting(std::uint32_t r) const {
  const Rule& rule = rules_[r];
  Posting p{r, rule.root | (infos_[r].sources.empty() ? 0 : kRestricted), rule.check, kNone, kNone};
  const std::uint32_t* c = checks_.data() + rule.check + 1;
  const std::uint32_t clauses = *c++;
  if (clauses == 0) {
    p.check = kNone;
  } else if (c[0] <= 2) {  // the rarest other clause, ranked first
    p.a0 = c[1];
    p.a1 = c[0] == 2 ? c[2] : c[1];
    if (clauses == 1) p.check = kNone;
  }
  return p;
}

void RuleSet::Impl::finish() {
  // How many rules need each atom.
  std::vector<std::uint32_t> usage(atoms_.size(), 0);
  std::vector<std::uint32_t> seen;
  for (const Rule& rule : rules_) {
    seen.assign(clause_atoms_.begin() + clause_offsets_[rule.clause_begin],
                clause_atoms_.begin() + clause_offsets_[rule.clause_end]);
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (auto a : seen) ++usage[a];
  }
  // Each enabled rule is indexed under its cheapest clause; the others are
  // checked, rarest first, when the rule is reached.
  // The index is built as (atom, rule) pairs, then laid out by atom (a counting
  // sort, which keeps each atom's rules in rule order).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> entries;
  entries.reserve(rules_.size() * 2);
  std::vector<std::pair<double, std::uint32_t>> ranked;
  checks_.clear();
  checks_.reserve(rules_.size() * 8);
  for (std::uint32_t r = 0; r < rules_.size(); ++r) {
    Rule& rule = rules_[r];
    ranked.clear();
    for (auto c = rule.clause_begin; c < rule.clause_end; ++c) ranked.emplace_back(index_cost(c, usage), c);
    std::sort(ranked.begin(), ranked.end());
    rule.check = static_cast<std::uint32_t>(checks_.size());
    checks_.push_back(rule.root);
    checks_.push_back(ranked.empty() ? 0 : static_cast<std::uint32_t>(ranked.size() - 1));
    for (std::size_t i = 1; i < ranked.size(); ++i) {
      const auto c = ranked[i].second;
      checks_.push_back(clause_offsets_[c + 1] - clause_offsets_[c]);
      checks_.insert(checks_.end(), clause_atoms_.begin() + clause_offsets_[c],
                     clause_atoms_.begin() + clause_offsets_[c + 1]);
    }
    if (!infos_[r].enabled) continue;
    if (ranked.empty()) {
      unindexed_.push_back(r);
      continue;
    }
    rule.primary = ranked.front().second;
    for (auto k = clause_offsets_[rule.primary]; k < clause_offsets_[rule.primary + 1]; ++k)
      entries.emplace_back(clause_atoms_[k], r);
  }
  posting_offsets_.assign(atoms_.size() + 1, 0);
  for (const auto& e : entries) ++posting_offsets_[e.first + 1];
  for (std::size_t a = 0; a < atoms_.size(); ++a) posting_offsets_[a + 1] += posting_offsets_[a];
  postings_.assign(entries.size(), Posting{});
  std::vector<std::uint32_t> fill(posting_offsets_.begin(), posting_offsets_.end() - 1);
  for (const auto& e : entries) postings_[fill[e.first]++] = posting(e.second);
  head_offsets_.assign(head_lists_.size() + 1, 0);
  head_atoms_.clear();
  for (std::size_t h = 0; h < head_lists_.size(); ++h) {
    for (auto a : head_lists_[h]) {
      const std::string& text = atoms_[a].text;
      HeadEntry e{0, static_cast<std::uint32_t>(text.size()), a};
      std::memcpy(&e.first8, text.data(), std::min<std::size_t>(8, text.size()));
      head_atoms_.push_back(e);
    }
    head_offsets_[h + 1] = static_cast<std::uint32_t>(head_atoms_.size());
  }
  head_lists_.clear();
  head_lists_.shrink_to_fit();
  // Only compiling needs these.
  pattern_ids_ = {};
  term_ids_ = {};
  pattern_key_ = {};
  term_key_ = {};
  term_patterns_buf_ = {};
  atom_patterns_ = {};
  pattern_terms_ = {};
  prefixes_ = {};
  key_buf_ = {};
  nodes_.shrink_to_fit();
  terms_.shrink_to_fit();
  term_patterns_.shrink_to_fit();
  patterns_ = {};
  pattern_texts_.shrink_to_fit();
  clause_atoms_.shrink_to_fit();
  clause_offsets_.shrink_to_fit();
  checks_.shrink_to_fit();
  rules_.shrink_to_fit();
  written_.shrink_to_fit();
  infos_.shrink_to_fit();
}

std::optional<std::size_t> RuleSet::Impl::find(std::string_view id) const {
  const auto i = ids_.find(id);
  if (i == detail::StringIndex::kNone) return std::nullopt;
  return i;
}

RuleSetStats RuleSet::Impl::stats() const {
  RuleSetStats s;
  s.rules = infos_.size();
  s.terms = terms_.size();
  s.atoms = atoms_.size();
  s.postings = postings_.size();
  auto str = [](const std::string& x) { return x.capacity() > 15 ? x.capacity() + 1 : 0; };
  std::size_t b = 0;
  b += (infos_.capacity() - infos_.size()) * sizeof(RuleInfo);
  for (const auto& i : infos_) {
    b += sizeof(RuleInfo) + str(i.id) + str(i.query) + str(i.topic) + str(i.description) + str(i.where.file) +
         str(i.query_where.file);
    for (const auto& t : i.tags) b += sizeof(std::string) + str(t);
    for (const auto& t : i.sources) b += sizeof(std::string) + str(t);
    b += (i.tests.match.size() + i.tests.no_match.size()) * sizeof(RuleTestCase);
  }
  b += rules_.capacity() * sizeof(Rule) + written_.capacity();
  for (const auto& a : atoms_) b += sizeof(Atom) + str(a.text);
  b += pattern_texts_.capacity() * sizeof(PatternText);
  for (const auto& p : pattern_texts_) b += str(p.glob) + str(p.exact);
  b += nodes_.capacity() * sizeof(Node) + terms_.capacity() * sizeof(Term) +
       term_patterns_.capacity() * sizeof(Pattern) + clause_atoms_.capacity() * 4 +
       clause_offsets_.capacity() * 4 + posting_offsets_.capacity() * 4 +
       postings_.capacity() * sizeof(Posting) + head_offsets_.capacity() * 4 +
       head_atoms_.capacity() * sizeof(HeadEntry) + checks_.capacity() * 4;
  b += exact_.bytes() + heads_.bytes() + ids_.bytes() + exact_filter_.bytes() + head_filter_.bytes();
  s.bytes = b;
  return s;
}

}  // namespace wirewatch::rules
