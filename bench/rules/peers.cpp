#include "peers.hpp"

#include <map>

#include "wirewatch/rules/query.hpp"

#ifdef WIREWATCH_BENCH_RE2
#include <re2/re2.h>
#include <re2/set.h>
#endif
#ifdef WIREWATCH_BENCH_HYPERSCAN
#include <hs/hs.h>
#endif

namespace wirewatch::bench {
namespace {

using rules::QueryNode;

class Builder {
 public:
  PeerRules out;

  PeerNode node(const QueryNode& q) {
    PeerNode n;
    switch (q.kind) {
      case QueryNode::Kind::term: {
        // Phrases with ~N become an AND of their words.
        if (q.slop >= 0 && q.words.size() > 1) {
          n.kind = PeerNode::Kind::and_;
          for (std::size_t i = 0; i < q.words.size(); ++i) n.children.push_back(term({q.exact[i]}));
          return n;
        }
        return term(q.exact);
      }
      case QueryNode::Kind::meta:
        n.kind = PeerNode::Kind::true_;
        return n;
      case QueryNode::Kind::not_:
        n.kind = PeerNode::Kind::not_;
        break;
      case QueryNode::Kind::and_:
      case QueryNode::Kind::near:
        n.kind = PeerNode::Kind::and_;
        break;
      case QueryNode::Kind::or_:
        n.kind = PeerNode::Kind::or_;
        break;
    }
    for (const auto& c : q.children) n.children.push_back(node(*c));
    return n;
  }

 private:
  PeerNode term(std::vector<std::string> words) {
    PeerTerm t;
    for (auto& w : words) {
      // A wildcard ends the term: `organi?ation` is looked for as `organi*`.
      const auto wild = w.find_first_of("*?");
      if (wild != std::string::npos) {
        t.words.push_back(w.substr(0, wild));
        t.prefix = true;
        break;
      }
      t.words.push_back(w);
    }
    std::string key = t.prefix ? "*" : "";
    for (const auto& w : t.words) key += w + "\x1f";
    auto [it, inserted] = ids_.try_emplace(key, out.terms.size());
    if (inserted) out.terms.push_back(std::move(t));
    PeerNode n;
    n.kind = PeerNode::Kind::term;
    n.term = it->second;
    return n;
  }

  std::map<std::string, std::size_t> ids_;
};

std::size_t count_matches(const PeerRules& rules, const std::vector<char>& found) {
  std::size_t n = 0;
  for (const auto& r : rules.rules) n += peer_eval(r, found) ? 1 : 0;
  return n;
}

#ifdef WIREWATCH_BENCH_RE2
// A word-bounded pattern: \bw1\W+w2\b for ASCII terms. RE2's \b and \w are
// ASCII-only, so a term with other letters (Лукашенко, Lukašenka) is bounded by
// ASCII whitespace and punctuation instead (Unicode classes such as [^\pL\pN]
// make the DFA of an unanchored set explode).
std::string re2_pattern(const PeerTerm& t) {
  bool ascii = true;
  for (const auto& w : t.words)
    for (unsigned char c : w) ascii = ascii && c < 0x80;
  const std::string open = ascii ? "\\b" : "(?:^|[\\s[:punct:]])";
  const std::string gap = ascii ? "\\W+" : "[\\s[:punct:]]+";
  const std::string close = ascii ? "\\b" : "(?:[\\s[:punct:]]|$)";
  std::string p = open;
  for (std::size_t i = 0; i < t.words.size(); ++i) {
    if (i) p += gap;
    p += RE2::QuoteMeta(t.words[i]);
  }
  if (!t.prefix) p += close;
  return p;
}

RE2::Options re2_options() {
  RE2::Options o;
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  o.set_max_mem(int64_t{1} << 32);
  return o;
}

class Re2PerRule final : public Peer {
 public:
  explicit Re2PerRule(const PeerRules& rules) : rules_(rules) {
    const auto options = re2_options();
    for (const auto& t : rules.terms) res_.push_back(std::make_unique<RE2>(re2_pattern(t), options));
  }
  std::string name() const override { return "RE2 per rule"; }
  std::string settings() const override {
    return "RE2 " + std::string("2022-06-01") +
           ", one RE2 per distinct term, case-insensitive, word-bounded (\\b…\\b; ASCII space or punctuation "
           "around non-ASCII terms); each rule evaluated on its own, its terms searched one by one, AND/OR "
           "short-circuited";
  }
  std::size_t match(const std::string& text) override {
    std::size_t n = 0;
    for (const auto& r : rules_.rules) n += eval(r, text) ? 1 : 0;
    return n;
  }

 private:
  bool eval(const PeerNode& node, const std::string& text) const {
    switch (node.kind) {
      case PeerNode::Kind::term:
        return RE2::PartialMatch(text, *res_[node.term]);
      case PeerNode::Kind::true_:
        return true;
      case PeerNode::Kind::not_:
        return !eval(node.children[0], text);
      case PeerNode::Kind::and_:
        for (const auto& c : node.children)
          if (!eval(c, text)) return false;
        return true;
      case PeerNode::Kind::or_:
        for (const auto& c : node.children)
          if (eval(c, text)) return true;
        return false;
    }
    return false;
  }

  const PeerRules& rules_;
  std::vector<std::unique_ptr<RE2>> res_;
};

class Re2Set final : public Peer {
 public:
  explicit Re2Set(const PeerRules& rules) : rules_(rules), set_(re2_options(), RE2::UNANCHORED) {
    for (const auto& t : rules.terms) {
      std::string err;
      if (set_.Add(re2_pattern(t), &err) < 0) {
        error_ = "Add: " + err;
        return;
      }
    }
    if (!set_.Compile()) error_ = "Compile failed (out of memory)";
    found_.resize(rules.terms.size());
  }
  std::string name() const override { return "RE2::Set + logic"; }
  std::string settings() const override {
    return "one RE2::Set (unanchored, case-insensitive, max_mem 4 GiB) of every distinct term, the same "
           "word-bounded patterns; then every rule's boolean logic over the terms found";
  }
  std::string error() const override { return error_; }
  std::size_t match(const std::string& text) override {
    hits_.clear();
    RE2::Set::ErrorInfo info{};
    if (!set_.Match(text, &hits_, &info) && info.kind != RE2::Set::kNoError) {
      error_ = info.kind == RE2::Set::kOutOfMemory ? "DFA out of memory while matching"
                                                   : "Match failed (" + std::to_string(info.kind) + ")";
      return 0;
    }
    std::fill(found_.begin(), found_.end(), 0);
    for (int h : hits_) found_[static_cast<std::size_t>(h)] = 1;
    return count_matches(rules_, found_);
  }

 private:
  const PeerRules& rules_;
  RE2::Set set_;
  std::vector<int> hits_;
  std::vector<char> found_;
  std::string error_;
};
#endif

#ifdef WIREWATCH_BENCH_HYPERSCAN
class Hyperscan final : public Peer {
 public:
  explicit Hyperscan(const PeerRules& rules) : rules_(rules) {
    std::vector<std::string> literals;
    for (const auto& t : rules.terms) {
      std::string lit;
      for (std::size_t i = 0; i < t.words.size(); ++i) lit += (i ? " " : "") + t.words[i];
      literals.push_back(std::move(lit));
    }
    std::vector<const char*> exprs;
    std::vector<std::size_t> lens;
    std::vector<unsigned> flags, ids;
    for (std::size_t i = 0; i < literals.size(); ++i) {
      exprs.push_back(literals[i].data());
      lens.push_back(literals[i].size());
      flags.push_back(HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH);
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_compile_error_t* err = nullptr;
    if (hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                             static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK, nullptr, &db_,
                             &err) != HS_SUCCESS) {
      error_ = err ? err->message : "compile failed";
      hs_free_compile_error(err);
      return;
    }
    if (hs_alloc_scratch(db_, &scratch_) != HS_SUCCESS) error_ = "scratch allocation failed";
    found_.resize(rules.terms.size());
  }
  ~Hyperscan() override {
    if (scratch_) hs_free_scratch(scratch_);
    if (db_) hs_free_database(db_);
  }
  Hyperscan(const Hyperscan&) = delete;
  Hyperscan& operator=(const Hyperscan&) = delete;

  std::string name() const override { return "Hyperscan + logic"; }
  std::string settings() const override {
    return "Hyperscan " + std::string(hs_version()).substr(0, 5) +
           " block mode, every distinct term a literal with HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, no word "
           "bounds; then every rule's logic over the terms found";
  }
  std::string error() const override { return error_; }
  std::size_t match(const std::string& text) override {
    if (!db_) return 0;
    std::fill(found_.begin(), found_.end(), 0);
    hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch_, &Hyperscan::on_match, &found_);
    return count_matches(rules_, found_);
  }

 private:
  static int on_match(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
    (*static_cast<std::vector<char>*>(ctx))[id] = 1;
    return 0;
  }

  const PeerRules& rules_;
  hs_database_t* db_ = nullptr;
  hs_scratch_t* scratch_ = nullptr;
  std::vector<char> found_;
  std::string error_;
};
#endif

}  // namespace

PeerRules peer_rules(const std::vector<rules::RuleDefinition>& defs) {
  Builder b;
  for (const auto& d : defs) {
    auto parsed = rules::parse_query(d.query);
    if (!parsed.root) continue;
    b.out.rules.push_back(b.node(*parsed.root));
  }
  return std::move(b.out);
}

bool peer_eval(const PeerNode& n, const std::vector<char>& found) {
  switch (n.kind) {
    case PeerNode::Kind::term:
      return found[n.term] != 0;
    case PeerNode::Kind::true_:
      return true;
    case PeerNode::Kind::not_:
      return !peer_eval(n.children[0], found);
    case PeerNode::Kind::and_:
      for (const auto& c : n.children)
        if (!peer_eval(c, found)) return false;
      return true;
    case PeerNode::Kind::or_:
      for (const auto& c : n.children)
        if (peer_eval(c, found)) return true;
      return false;
  }
  return false;
}

std::unique_ptr<Peer> make_re2_per_rule([[maybe_unused]] const PeerRules& rules) {
#ifdef WIREWATCH_BENCH_RE2
  return std::make_unique<Re2PerRule>(rules);
#else
  return nullptr;
#endif
}

std::unique_ptr<Peer> make_re2_set([[maybe_unused]] const PeerRules& rules) {
#ifdef WIREWATCH_BENCH_RE2
  return std::make_unique<Re2Set>(rules);
#else
  return nullptr;
#endif
}

std::unique_ptr<Peer> make_hyperscan([[maybe_unused]] const PeerRules& rules) {
#ifdef WIREWATCH_BENCH_HYPERSCAN
  return std::make_unique<Hyperscan>(rules);
#else
  return nullptr;
#endif
}

}  // namespace wirewatch::bench
