#include "wirewatch/rules/rule_set.hpp"

#include <algorithm>

#include "rule_set_impl.hpp"
#include "wirewatch/common/text.hpp"
#include "wirewatch/rules/tokenizer.hpp"

namespace wirewatch::rules {

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

// ---- building ----------------------------------------------------------------

std::uint32_t RuleSet::Impl::word_id(const std::string& folded) {
  auto [it, inserted] = word_ids_.try_emplace(folded, static_cast<std::uint32_t>(word_text_.size()));
  if (inserted) {
    word_text_.push_back(folded);
    postings_.emplace_back();
  }
  return it->second;
}

std::uint32_t RuleSet::Impl::term_id(const std::vector<std::string>& words) {
  std::string key;
  for (const auto& w : words) {
    if (!key.empty()) key += '\x1f';
    key += w;
  }
  auto [it, inserted] = term_ids_.try_emplace(key, static_cast<std::uint32_t>(terms_.size()));
  if (inserted) {
    Term term;
    for (const auto& w : words) term.push_back(word_id(w));
    terms_.push_back(std::move(term));
  }
  return it->second;
}

std::uint32_t RuleSet::Impl::compile(const QueryNode& n, Rule& rule) {
  Node node;
  node.kind = n.kind;
  if (n.kind == QueryNode::Kind::term) {
    node.term = term_id(n.words);
    if (terms_[node.term].size() == 1) node.word = terms_[node.term].front();
    auto it = std::find(rule.written.begin(), rule.written.end(), n.written);
    if (it == rule.written.end()) {
      rule.written.push_back(n.written);
      rule.written_term.push_back(node.term);
      it = rule.written.end() - 1;
    }
    node.written = static_cast<std::uint32_t>(it - rule.written.begin());
  } else {
    std::vector<std::uint32_t> children;
    for (const auto& c : n.children) children.push_back(compile(*c, rule));
    node.begin = static_cast<std::uint32_t>(kids_.size());
    kids_.insert(kids_.end(), children.begin(), children.end());
    node.end = static_cast<std::uint32_t>(kids_.size());
  }
  nodes_.push_back(node);
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

bool RuleSet::Impl::required_words(std::uint32_t index, std::vector<std::uint32_t>& out) const {
  const Node& n = nodes_[index];
  switch (n.kind) {
    case QueryNode::Kind::term: {
      // One word of the term must occur; take the longest as the likely rarest.
      std::uint32_t best = terms_[n.term].front();
      for (auto w : terms_[n.term])
        if (word_text_[w].size() > word_text_[best].size()) best = w;
      out.assign(1, best);
      return true;
    }
    case QueryNode::Kind::not_:
      return false;
    case QueryNode::Kind::or_: {
      out.clear();
      std::vector<std::uint32_t> child;
      for (auto k = n.begin; k < n.end; ++k) {
        if (!required_words(kids_[k], child)) return false;
        out.insert(out.end(), child.begin(), child.end());
      }
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      return true;
    }
    case QueryNode::Kind::and_: {
      bool found = false;
      std::vector<std::uint32_t> child;
      for (auto k = n.begin; k < n.end; ++k) {
        if (required_words(kids_[k], child) && (!found || child.size() < out.size())) {
          out = child;
          found = true;
        }
      }
      return found;
    }
  }
  return false;
}

void RuleSet::Impl::add(RuleInfo info, const QueryNode& root) {
  const auto index = static_cast<std::uint32_t>(rules_.size());
  Rule rule;
  rule.root = compile(root, rule);
  std::vector<std::uint32_t> required;
  required_words(rule.root, required);  // the parser rejects queries without any
  for (auto w : required) postings_[w].push_back(index);
  rules_.push_back(std::move(rule));
  infos_.push_back(std::move(info));
}

// ---- matching ----------------------------------------------------------------

namespace {

constexpr std::uint32_t kNoWord = RuleSet::Impl::kNoWord;
constexpr std::size_t kSnippetMax = 300;

struct FieldView {
  std::string_view text;
  std::vector<Token> tokens;
  std::vector<std::uint32_t> ids;  // word id per token; kNoWord when no query uses it
};

struct Pos {
  std::uint8_t field;
  std::uint32_t token;
};

// One occurrence of a term: tokens [first, last] of one field.
struct Occ {
  std::uint8_t field;
  std::uint32_t first;
  std::uint32_t last;
};

using Impl = RuleSet::Impl;

// A record tokenized and folded once, with the positions of every word any
// query uses, and term occurrences computed on demand.
class RecordView {
 public:
  RecordView(const Impl& set, const Document& doc)
      : set_(set), present_((set.words().size() + 63) / 64, 0) {
    for (std::uint8_t f = 0; f < 2; ++f) {
      auto& fv = fields_[f];
      fv.text = doc.text(f == 0 ? Field::title : Field::body);
      fv.tokens = tokenize(fv.text);
      fv.ids.assign(fv.tokens.size(), kNoWord);
      for (std::uint32_t i = 0; i < fv.tokens.size(); ++i) {
        auto it = set.words().find(fv.tokens[i].folded);
        if (it == set.words().end()) continue;
        fv.ids[i] = it->second;
        positions_[it->second].push_back({f, i});
        present_[it->second / 64] |= std::uint64_t{1} << (it->second % 64);
      }
    }
  }

  const FieldView& field(std::uint8_t f) const { return fields_[f]; }
  const std::unordered_map<std::uint32_t, std::vector<Pos>>& positions() const {
    return positions_;
  }

  bool has_word(std::uint32_t word) const { return (present_[word / 64] >> (word % 64)) & 1; }

  // Whether a term occurs: a word by the bitmap; a phrase only when all its words
  // occur, and then by its occurrences.
  bool occurs(const RuleSet::Impl::Node& term) const {
    if (term.word != kNoWord) return has_word(term.word);
    for (auto w : set_.terms()[term.term])
      if (!has_word(w)) return false;
    return !occurrences(term.term).empty();
  }

  const std::vector<Occ>& occurrences(std::uint32_t term_id) const {
    auto [it, inserted] = cache_.try_emplace(term_id);
    if (!inserted) return it->second;
    const auto& term = set_.terms()[term_id];
    auto pit = positions_.find(term.front());
    if (pit == positions_.end()) return it->second;
    for (const Pos& p : pit->second) {
      const FieldView& fv = fields_[p.field];
      const auto last = static_cast<std::size_t>(p.token) + term.size() - 1;
      if (last >= fv.tokens.size()) continue;
      bool ok = true;
      for (std::size_t k = 1; ok && k < term.size(); ++k) {
        const std::size_t t = p.token + k;
        ok = fv.ids[t] == term[k] && fv.tokens[t].paragraph == fv.tokens[p.token].paragraph;
      }
      if (ok) it->second.push_back({p.field, p.token, static_cast<std::uint32_t>(last)});
    }
    return it->second;
  }

  const std::vector<char32_t>& code_points(std::uint8_t f) const {
    if (!decoded_[f]) {
      cps_[f] = utf8_code_points(fields_[f].text);
      decoded_[f] = true;
    }
    return cps_[f];
  }

 private:
  const Impl& set_;
  FieldView fields_[2];
  std::unordered_map<std::uint32_t, std::vector<Pos>> positions_;
  std::vector<std::uint64_t> present_;  // bit per word id: occurs in the record
  mutable std::unordered_map<std::uint32_t, std::vector<Occ>> cache_;
  mutable std::vector<char32_t> cps_[2];
  mutable bool decoded_[2] = {false, false};
};

bool eval(const Impl& set, const RecordView& rec, std::uint32_t index) {
  const auto& n = set.nodes()[index];
  switch (n.kind) {
    case QueryNode::Kind::term:
      return rec.occurs(n);
    case QueryNode::Kind::not_:
      return !eval(set, rec, set.kids()[n.begin]);
    case QueryNode::Kind::and_:
      for (auto k = n.begin; k < n.end; ++k)
        if (!eval(set, rec, set.kids()[k])) return false;
      return true;
    case QueryNode::Kind::or_:
      for (auto k = n.begin; k < n.end; ++k)
        if (eval(set, rec, set.kids()[k])) return true;
      return false;
  }
  return false;
}

// Marks the terms that make a true node true: every positive term of a true AND,
// those of each true branch of an OR, never anything under a NOT.
void collect(const Impl& set, const RecordView& rec, std::uint32_t index,
             std::vector<bool>& contributing) {
  const auto& n = set.nodes()[index];
  switch (n.kind) {
    case QueryNode::Kind::term:
      contributing[n.written] = true;
      return;
    case QueryNode::Kind::not_:
      return;
    case QueryNode::Kind::and_:
      for (auto k = n.begin; k < n.end; ++k) collect(set, rec, set.kids()[k], contributing);
      return;
    case QueryNode::Kind::or_:
      for (auto k = n.begin; k < n.end; ++k)
        if (eval(set, rec, set.kids()[k])) collect(set, rec, set.kids()[k], contributing);
      return;
  }
}

bool is_word_at(const std::vector<char32_t>& cps, std::size_t i) { return is_word_char(cps[i]); }

std::string snippet(const RecordView& rec, const Occ& hit) {
  const FieldView& fv = rec.field(hit.field);
  const auto& cps = rec.code_points(hit.field);
  const auto& tokens = fv.tokens;

  // The sentence(s) the hit lies in, from their first word to their last, widened
  // over adjacent punctuation such as opening quotes and the final full stop.
  std::size_t a = hit.first;
  while (a > 0 && tokens[a - 1].sentence == tokens[hit.first].sentence) --a;
  std::size_t b = hit.last;
  while (b + 1 < tokens.size() && tokens[b + 1].sentence == tokens[hit.last].sentence) ++b;
  std::size_t s = tokens[a].offset;
  std::size_t e = static_cast<std::size_t>(tokens[b].offset) + tokens[b].length;
  while (s > 0 && !is_space(cps[s - 1])) --s;
  while (e < cps.size() && !is_space(cps[e])) ++e;

  const std::size_t h = tokens[hit.first].offset;
  const std::size_t he = static_cast<std::size_t>(tokens[hit.last].offset) + tokens[hit.last].length;
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
  std::string out;
  for (std::size_t i = ws; i < we; ++i) append_utf8(out, cps[i]);
  return out;
}

}  // namespace

std::vector<Match> RuleSet::Impl::match(const Document& doc) const {
  std::vector<Match> out;
  if (rules_.empty()) return out;
  const RecordView rec(*this, doc);

  std::vector<std::uint32_t> candidates;
  for (const auto& [word, _] : rec.positions())
    candidates.insert(candidates.end(), postings_[word].begin(), postings_[word].end());
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());

  for (auto r : candidates) {
    const Rule& rule = rules_[r];
    if (!eval(*this, rec, rule.root)) continue;
    std::vector<bool> contributing(rule.written.size(), false);
    collect(*this, rec, rule.root, contributing);

    struct Found {
      Occ occ;
      std::uint32_t written;
    };
    std::vector<Found> found;
    Match m;
    for (std::uint32_t w = 0; w < rule.written.size(); ++w) {
      if (!contributing[w]) continue;
      m.matched.push_back(rule.written[w]);
      for (const Occ& o : rec.occurrences(rule.written_term[w])) found.push_back({o, w});
    }
    std::sort(found.begin(), found.end(), [](const Found& x, const Found& y) {
      if (x.occ.field != y.occ.field) return x.occ.field < y.occ.field;
      if (x.occ.first != y.occ.first) return x.occ.first < y.occ.first;
      return x.written < y.written;
    });
    for (const Found& f : found) {
      const auto& tokens = rec.field(f.occ.field).tokens;
      const std::size_t start = tokens[f.occ.first].offset;
      const std::size_t end = static_cast<std::size_t>(tokens[f.occ.last].offset) +
                              tokens[f.occ.last].length;
      m.hits.push_back({rule.written[f.written], f.occ.field == 0 ? Field::title : Field::body,
                        start, end - start});
    }
    if (!found.empty()) m.snippet = snippet(rec, found.front().occ);
    const RuleInfo& info = infos_[r];
    m.rule_id = info.id;
    m.topic = info.topic;
    m.severity = info.severity;
    out.push_back(std::move(m));
  }
  return out;
}

// ---- RuleSet -----------------------------------------------------------------

RuleSet::RuleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleSet::~RuleSet() = default;
std::size_t RuleSet::size() const { return impl_->infos().size(); }
const std::vector<RuleInfo>& RuleSet::rules() const { return impl_->infos(); }
std::vector<Match> RuleSet::match(const Document& doc) const { return impl_->match(doc); }

}  // namespace wirewatch::rules
