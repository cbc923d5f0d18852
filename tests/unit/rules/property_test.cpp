// Property test: for random rules × random texts, the indexed matcher matches a
// rule exactly when a simple reference evaluator says so. The reference works on
// the parsed query tree and the token lists of tokenize(), by brute force, with
// none of the matcher's index, caches or occurrence lists.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "test_util.hpp"
#include "wirewatch/common/text.hpp"
#include "wirewatch/rules/query.hpp"
#include "wirewatch/rules/rule_set.hpp"
#include "wirewatch/rules/tokenizer.hpp"

namespace wirewatch::rules {
namespace {

using Kind = QueryNode::Kind;

struct RefField {
  Field field;
  std::string text;
  std::vector<Token> tokens;
  std::vector<std::string> raw;  // each token as written, NFC
};

struct RefDoc {
  std::vector<RefField> fields;  // title, body, url, author
  std::string host, source, lang;
};

RefDoc ref_doc(const DocumentFields& f) {
  RefDoc d;
  const std::pair<Field, std::string> texts[] = {
      {Field::title, f.title}, {Field::body, f.body}, {Field::url, f.url}, {Field::author, f.author}};
  for (const auto& [field, text] : texts) {
    RefField rf{field, text, tokenize(text), {}};
    for (const auto& t : rf.tokens) rf.raw.push_back(to_nfc(testing::slice(text, t.offset, t.length)));
    d.fields.push_back(std::move(rf));
  }
  d.host = std::string(host_of_url(f.url));
  for (char& c : d.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  d.source = f.source_id;
  d.lang = f.lang;
  for (char& c : d.lang) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return d;
}

// `?` one code point, a final `*` anything.
bool glob(const std::vector<char32_t>& text, const std::vector<char32_t>& pat, std::size_t i = 0,
          std::size_t j = 0) {
  if (j == pat.size()) return i == text.size();
  if (pat[j] == '*') return true;
  if (i == text.size()) return false;
  if (pat[j] == '?' || pat[j] == text[i]) return glob(text, pat, i + 1, j + 1);
  return false;
}

bool word_matches(const RefField& f, std::size_t t, const QueryNode& n, std::size_t w) {
  if (n.case_sensitive) return glob(utf8_code_points(f.raw[t]), utf8_code_points(n.exact[w]));
  return glob(utf8_code_points(f.tokens[t].folded), utf8_code_points(n.words[w]));
}

bool field_allowed(const QueryNode& n, Field f) { return (n.fields >> static_cast<unsigned>(f)) & 1u; }

struct Span {
  std::size_t field;  // index into RefDoc::fields
  std::size_t first, last;
};

std::vector<Span> occurrences(const RefDoc& d, const QueryNode& n) {
  std::vector<Span> out;
  const std::size_t k = n.words.size();
  for (std::size_t fi = 0; fi < d.fields.size(); ++fi) {
    const RefField& f = d.fields[fi];
    if (!field_allowed(n, f.field)) continue;
    const std::size_t m = f.tokens.size();
    if (n.slop < 0) {
      for (std::size_t s = 0; s + k <= m; ++s) {
        bool ok = true;
        for (std::size_t w = 0; ok && w < k; ++w)
          ok = word_matches(f, s + w, n, w) && f.tokens[s + w].paragraph == f.tokens[s].paragraph;
        if (ok) out.push_back({fi, s, s + k - 1});
      }
      continue;
    }
    // Every assignment of distinct tokens to the words, within `slop` positions.
    std::vector<std::size_t> pick(k);
    std::function<void(std::size_t)> rec = [&](std::size_t w) {
      if (w == k) {
        auto [lo, hi] = std::minmax_element(pick.begin(), pick.end());
        if (*hi - *lo <= static_cast<std::size_t>(n.slop)) out.push_back({fi, *lo, *hi});
        return;
      }
      for (std::size_t t = 0; t < m; ++t) {
        if (std::find(pick.begin(), pick.begin() + static_cast<long>(w), t) !=
            pick.begin() + static_cast<long>(w))
          continue;
        if (!word_matches(f, t, n, w)) continue;
        pick[w] = t;
        rec(w + 1);
      }
    };
    rec(0);
  }
  // Distinct spans.
  std::sort(out.begin(), out.end(), [](const Span& a, const Span& b) {
    return std::tie(a.field, a.first, a.last) < std::tie(b.field, b.first, b.last);
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Span& a, const Span& b) {
                          return a.field == b.field && a.first == b.first && a.last == b.last;
                        }),
            out.end());
  return out;
}

std::vector<Span> operand(const RefDoc& d, const QueryNode& n) {
  if (n.kind == Kind::term) return occurrences(d, n);
  std::vector<Span> out;
  for (const auto& c : n.children) {
    auto o = operand(d, *c);
    out.insert(out.end(), o.begin(), o.end());
  }
  return out;
}

bool eval(const RefDoc& d, const QueryNode& n) {
  switch (n.kind) {
    case Kind::term: {
      // repeat counts occurrences; a phrase~N occurrence is counted once per span.
      const auto occ = occurrences(d, n);
      if (n.slop >= 0 && n.words.size() > 1) {
        // The matcher counts one occurrence per first token; so does this.
        std::vector<std::pair<std::size_t, std::size_t>> starts;
        for (const auto& s : occ) starts.emplace_back(s.field, s.first);
        std::sort(starts.begin(), starts.end());
        starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
        return starts.size() >= static_cast<std::size_t>(n.repeat);
      }
      return occ.size() >= static_cast<std::size_t>(n.repeat);
    }
    case Kind::meta:
      switch (n.meta) {
        case MetaField::site:
          return d.host == n.value || (d.host.size() > n.value.size() && d.host.ends_with("." + n.value));
        case MetaField::source:
          return d.source == n.value;
        case MetaField::lang:
          return d.lang == n.value || d.lang.starts_with(n.value + "-");
      }
      return false;
    case Kind::not_:
      return !eval(d, *n.children[0]);
    case Kind::and_:
      for (const auto& c : n.children)
        if (!eval(d, *c)) return false;
      return true;
    case Kind::or_:
      for (const auto& c : n.children)
        if (eval(d, *c)) return true;
      return false;
    case Kind::near: {
      const auto a = operand(d, *n.children[0]);
      const auto b = operand(d, *n.children[1]);
      for (const auto& x : a)
        for (const auto& y : b) {
          if (x.field != y.field) continue;
          if (!(x.last < y.first || y.last < x.first)) continue;
          const bool x_first = x.last < y.first;
          if (n.ordered && !x_first) continue;
          const auto& toks = d.fields[x.field].tokens;
          const auto lo = std::min(x.first, y.first), hi = std::max(x.last, y.last);
          bool ok = false;
          switch (n.unit) {
            case NearUnit::words:
              ok = (x_first ? y.first - x.last : x.first - y.last) <= static_cast<std::size_t>(n.distance);
              break;
            case NearUnit::sentence:
              ok = toks[lo].sentence == toks[hi].sentence;
              break;
            case NearUnit::paragraph:
              ok = toks[lo].paragraph == toks[hi].paragraph;
              break;
          }
          if (ok) return true;
        }
      return false;
    }
  }
  return false;
}

// ---- random rules and texts ----------------------------------------------------

const std::vector<std::string> kWords = {
    "alpha",     "beta", "gamma", "delta", "wagner", "Wagner", "лукашенко", "Лукашенко", "Lukašenka",
    "lukasenka", "café", "cafe",  "ёлка",  "елка",   "мой",    "мои",       "ALPHA",     "betamax"};

class Gen {
 public:
  explicit Gen(std::uint32_t seed) : rng_(seed) {}

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  bool chance(int percent) { return static_cast<int>(pick(100)) < percent; }

  std::string word() { return kWords[pick(kWords.size())]; }

  std::string text(std::size_t max_words) {
    std::string out;
    const auto n = pick(max_words + 1);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) {
        const auto p = pick(10);
        out += p == 0 ? ". " : p == 1 ? ", " : p == 2 ? "\n\n" : " ";
      }
      out += word();
    }
    return out;
  }

  std::string term() {
    const auto p = pick(12);
    if (p == 0) {
      std::string w = word();
      auto cps = utf8_code_points(w);
      std::string prefix;
      const std::size_t len = 3 + pick(cps.size() - 2);
      for (std::size_t i = 0; i < len && i < cps.size(); ++i) append_utf8(prefix, cps[i]);
      return prefix + "*";
    }
    if (p == 1) return "\"" + word() + " " + word() + "\"";
    if (p == 2) return "\"" + word() + " " + word() + "\"~" + std::to_string(1 + pick(4));
    if (p == 3) return "title:" + word();
    if (p == 4) return "body:" + word();
    if (p == 5) return "repeat2:" + word();
    if (p == 6) return chance(50) ? "case:" + word() : "case:\"" + word() + " " + word() + "\"";
    return word();
  }

  std::string near_operand() {
    if (chance(20)) return "(" + word() + " OR " + word() + ")";
    const auto t = term();
    return t.starts_with("repeat") ? word() : t;
  }

  std::string query(int depth) {
    const auto p = pick(depth > 2 ? 3 : 9);
    if (p <= 2) return term();
    if (p == 3) return query(depth + 1) + " AND " + query(depth + 1);
    if (p == 4) return query(depth + 1) + " OR " + query(depth + 1);
    if (p == 5) return "(" + query(depth + 1) + ") AND NOT " + term();
    if (p == 6) return query(depth + 1) + " -" + term();
    if (p == 7) {
      static const char* ops[] = {"NEAR/1", "NEAR/3", "ONEAR/2", "NEAR/s", "NEAR/p", "ONEAR/s"};
      return near_operand() + " " + ops[pick(6)] + " " + near_operand();
    }
    return "(" + query(depth + 1) + " OR " + query(depth + 1) + ") " + query(depth + 1);
  }

 private:
  std::mt19937 rng_;
};

TEST(MatcherProperty, IndexedMatchAgreesWithTheReferenceEvaluator) {
  constexpr int kSets = 120;
  constexpr int kRulesPerSet = 25;
  constexpr int kDocsPerSet = 25;
  std::size_t cases = 0, positives = 0;
  for (int set_index = 0; set_index < kSets; ++set_index) {
    Gen gen(static_cast<std::uint32_t>(1000 + set_index));
    std::vector<RuleDefinition> defs;
    std::vector<std::unique_ptr<QueryNode>> trees;
    while (defs.size() < kRulesPerSet) {
      std::string q = gen.query(0);
      auto parsed = parse_query(q);
      if (!parsed.root) continue;  // e.g. `NOT x` alone: rejected
      RuleDefinition d;
      d.id = "r" + std::to_string(defs.size());
      d.query = q;
      defs.push_back(std::move(d));
      trees.push_back(std::move(parsed.root));
    }
    auto loaded = compile_rules(defs);
    ASSERT_TRUE(loaded.ok()) << loaded.diagnostics.render();
    for (int k = 0; k < kDocsPerSet; ++k) {
      DocumentFields f;
      f.title = gen.text(4);
      f.body = gen.text(18);
      const RefDoc ref = ref_doc(f);
      const TextDocument doc(f);
      std::vector<std::string> expected;
      for (std::size_t r = 0; r < trees.size(); ++r)
        if (eval(ref, *trees[r])) expected.push_back(defs[r].id);
      std::vector<std::string> got;
      for (const auto& m : loaded.rules->match(doc)) got.push_back(m.rule_id);
      cases += trees.size();
      positives += expected.size();
      if (got != expected) {
        std::string detail;
        for (std::size_t r = 0; r < trees.size(); ++r) {
          const bool e = std::find(expected.begin(), expected.end(), defs[r].id) != expected.end();
          const bool g = std::find(got.begin(), got.end(), defs[r].id) != got.end();
          if (e != g)
            detail += "  " + defs[r].id + " `" + defs[r].query + "` reference=" + (e ? "match" : "no") + "\n";
        }
        FAIL() << "title: " << f.title << "\nbody: " << f.body << "\n" << detail;
      }
    }
  }
  // The random rules are neither all-matching nor never-matching.
  EXPECT_GT(positives, cases / 50);
  EXPECT_LT(positives, cases / 2);
}

TEST(MatcherProperty, MetadataAgreesWithTheReferenceEvaluator) {
  const std::vector<std::string> queries = {"site:belta.by AND alpha", "site:by AND NOT alpha",
                                            "source:belta OR beta",    "lang:ru AND (alpha OR beta)",
                                            "lang:ru-ru alpha",        "site:news.belta.by",
                                            "url:news AND alpha",      "author:doe OR site:tut.by"};
  const std::vector<std::string> urls = {"", "https://belta.by/x", "https://news.belta.by/news/alpha",
                                         "http://www.tut.by/a", "https://notbelta.by/"};
  const std::vector<std::string> sources = {"", "belta", "tut"};
  const std::vector<std::string> langs = {"", "ru", "RU-ru", "en", "ru-BY"};
  std::vector<RuleDefinition> defs;
  std::vector<std::unique_ptr<QueryNode>> trees;
  for (const auto& q : queries) {
    RuleDefinition d;
    d.id = "r" + std::to_string(defs.size());
    d.query = q;
    defs.push_back(d);
    trees.push_back(parse_query(q).root);
    ASSERT_NE(trees.back(), nullptr) << q;
  }
  auto loaded = compile_rules(defs);
  ASSERT_TRUE(loaded.ok());
  Gen gen(7);
  for (const auto& url : urls)
    for (const auto& source : sources)
      for (const auto& lang : langs) {
        DocumentFields f;
        f.title = gen.text(3);
        f.body = gen.text(6);
        f.url = url;
        f.source_id = source;
        f.lang = lang;
        f.author = gen.chance(50) ? "Jane Doe" : "";
        const RefDoc ref = ref_doc(f);
        std::vector<std::string> expected, got;
        for (std::size_t r = 0; r < trees.size(); ++r)
          if (eval(ref, *trees[r])) expected.push_back(defs[r].id);
        for (const auto& m : loaded.rules->match(TextDocument(f))) got.push_back(m.rule_id);
        EXPECT_EQ(got, expected) << url << " " << source << " " << lang;
      }
}

}  // namespace
}  // namespace wirewatch::rules
