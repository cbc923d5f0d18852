#include "generator.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "wirewatch/common/text.hpp"
#include "wirewatch/rules/query.hpp"
#include "wirewatch/rules/tokenizer.hpp"

namespace wirewatch::bench {
namespace {

// The standard fixes mt19937_64's output but not its distributions', so the
// generator draws with these to give the same data with any standard library.
std::size_t uniform(std::mt19937_64& rng, std::size_t n) { return static_cast<std::size_t>(rng() % n); }
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
std::size_t between(std::mt19937_64& rng, std::size_t lo, std::size_t hi) {
  return lo + uniform(rng, hi - lo + 1);
}

std::size_t draw(std::mt19937_64& rng, const std::vector<double>& cumulative) {
  const double x = unit(rng) * cumulative.back();
  return static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) -
                                  cumulative.begin());
}

constexpr std::size_t kEntities = 100'000;
constexpr std::size_t kPersons = 100'000;

const char* const kLatin[] = {"ka",  "lo",  "mir", "va",  "den", "sar", "to",  "vel", "ni",  "gor",
                              "bra", "zen", "ta",  "ri",  "mon", "las", "ko",  "vi",  "del", "an",
                              "er",  "ost", "ur",  "ban", "lit", "mar", "sel", "dor", "na",  "fel",
                              "chu", "pet", "ros", "iv",  "ska", "tem", "bor", "lin", "ha",  "quo"};
const char* const kCyrillic[] = {"ка",  "ло",  "мир", "ва",  "ден", "сар", "то",  "вел", "ни",  "гор",
                                 "бра", "зен", "та",  "ри",  "мон", "лас", "ко",  "ви",  "дел", "ан",
                                 "ер",  "ост", "ур",  "бан", "лит", "мар", "сёл", "дор", "на",  "фей"};

std::string capitalize(const std::string& w) {
  if (w.empty()) return w;
  if (static_cast<unsigned char>(w[0]) < 0x80) {
    std::string out = w;
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out;
  }
  // Cyrillic lower case letters а–я (U+0430–U+044F) are 0xD0 0xB0–0xBF and
  // 0xD1 0x80–0x8F; their capitals are U+0410–U+042F.
  auto cps = utf8_code_points(w);
  if (cps[0] >= 0x0430 && cps[0] <= 0x044F) cps[0] -= 0x20;
  std::string out;
  for (char32_t c : cps) append_utf8(out, c);
  return out;
}

std::string yaml_single_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace

NewsGenerator::NewsGenerator(std::uint64_t seed, const std::filesystem::path& seeds_dir) : seed_(seed) {
  // Common words and their counts, from the seed records.
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(seeds_dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::map<std::string, std::size_t> counts;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    rules::DocumentFields record;
    const auto nl = text.find('\n');
    record.title = text.substr(0, nl);
    record.body = nl == std::string::npos ? std::string() : text.substr(nl + 1);
    while (!record.body.empty() && record.body.front() == '\n') record.body.erase(0, 1);
    seed_records_.push_back(record);
    rules::WordScanner scanner(text);
    rules::WordSpan w;
    while (scanner.next(w)) {
      if (!w.ascii || w.raw.size() < 2) continue;
      std::string lower(w.raw);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      ++counts[lower];
    }
  }
  std::vector<std::pair<std::size_t, std::string>> ranked;
  for (auto& [w, c] : counts) ranked.emplace_back(c, w);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  double total = 0;
  for (const auto& [c, w] : ranked) {
    common_.push_back(w);
    total += static_cast<double>(c);
    common_cumulative_.push_back(total);
  }

  // Entities: syllable names, Zipf popularity.
  std::mt19937_64 rng(seed_ ^ 0xE7717E5ULL);
  std::set<std::string> seen(common_.begin(), common_.end());
  while (entities_.size() < kEntities) {
    const bool cyrillic = uniform(rng, 10) == 0;
    const std::size_t n = between(rng, 2, 4);
    std::string name;
    for (std::size_t i = 0; i < n; ++i)
      name +=
          cyrillic ? kCyrillic[uniform(rng, std::size(kCyrillic))] : kLatin[uniform(rng, std::size(kLatin))];
    if (!cyrillic && uniform(rng, 20) == 0) {  // Latin diacritics, as in Lukašenka or Zelenský
      const auto s = name.find('s');
      const auto e = name.find('e');
      if (s != std::string::npos)
        name.replace(s, 1, "š");
      else if (e != std::string::npos)
        name.replace(e, 1, "é");
    }
    if (!seen.insert(name).second) continue;
    entities_.push_back(capitalize(name));
  }
  total = 0;
  for (std::size_t r = 0; r < entities_.size(); ++r) {
    total += 1.0 / static_cast<double>(r + 20);
    entity_cumulative_.push_back(total);
  }
  for (std::size_t p = 0; p < kPersons; ++p) persons_.emplace_back(entity_index(rng), entity_index(rng));
}

std::string NewsGenerator::common_word(std::mt19937_64& rng) const {
  return common_[draw(rng, common_cumulative_)];
}

std::string NewsGenerator::context_word(std::mt19937_64& rng, std::size_t from_rank,
                                        std::size_t to_rank) const {
  to_rank = std::min(to_rank, common_.size() - 1);
  return common_[between(rng, from_rank, to_rank)];
}

std::size_t NewsGenerator::entity_index(std::mt19937_64& rng) const { return draw(rng, entity_cumulative_); }

std::string NewsGenerator::associated(std::size_t entity, std::size_t k) const {
  // Three context words go with each entity (`Wagner`: mercenaries, instructors, …).
  std::uint64_t h = (entity + 1) * 0x9E3779B97F4A7C15ULL + k * 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 29;
  return common_[30 + static_cast<std::size_t>(h % std::min<std::size_t>(570, common_.size() - 30))];
}

// A sentence about the record's cast: most names are the cast's, a few are
// mentioned in passing; a name is often followed closely by a word that goes with it.
std::string NewsGenerator::sentence(std::mt19937_64& rng, std::size_t words, const Cast& cast) const {
  std::string out;
  std::vector<std::string> pending;  // associated words to place within the next words
  for (std::size_t i = 0; i < words; ++i) {
    const auto p = uniform(rng, 100);
    std::string w;
    if (!pending.empty() && uniform(rng, 2) == 0) {
      w = pending.back();
      pending.pop_back();
    } else if (p < 12) {
      const std::size_t e = uniform(rng, 100) < 85
                                ? cast.entities[std::min(uniform(rng, cast.entities.size()),
                                                         uniform(rng, cast.entities.size()))]
                                : entity_index(rng);
      w = entities_[e];
      if (uniform(rng, 100) < 40) pending.push_back(associated(e, uniform(rng, 3)));
    } else if (p < 15) {
      const auto person = uniform(rng, 100) < 85 ? cast.persons[uniform(rng, cast.persons.size())]
                                                 : draw(rng, entity_cumulative_);
      const auto& [f, l] = persons_[person];
      w = entities_[f] + " " + entities_[l];
      if (uniform(rng, 100) < 40) pending.push_back(associated(l, uniform(rng, 3)));
    } else {
      w = common_word(rng);
      if (i == 0) w = capitalize(w);
    }
    if (!out.empty()) out += uniform(rng, 12) == 0 ? ", " : " ";
    out += w;
  }
  return out;
}

std::vector<rules::DocumentFields> NewsGenerator::records(std::size_t n) {
  std::vector<rules::DocumentFields> out;
  for (std::size_t i = 0; i < seed_records_.size() && out.size() < n; ++i) out.push_back(seed_records_[i]);
  std::mt19937_64 rng(seed_ ^ 0x5EC0D5ULL);
  while (out.size() < n) {
    // An article is about a few entities and people, chosen by popularity.
    Cast cast;
    for (std::size_t i = between(rng, 8, 20); i > 0; --i) cast.entities.push_back(entity_index(rng));
    for (std::size_t i = between(rng, 2, 6); i > 0; --i)
      cast.persons.push_back(draw(rng, entity_cumulative_));
    rules::DocumentFields r;
    r.title = sentence(rng, between(rng, 7, 13), cast);
    const std::size_t target = between(rng, 4500, 5500);
    while (r.body.size() < target) {
      if (!r.body.empty()) r.body += "\n\n";
      const std::size_t sentences = between(rng, 2, 5);
      for (std::size_t s = 0; s < sentences; ++s) {
        if (s) r.body += ' ';
        r.body += sentence(rng, between(rng, 10, 25), cast) + ".";
      }
    }
    r.source_id = "src" + std::to_string(uniform(rng, 50));
    r.lang = "en";
    out.push_back(std::move(r));
  }
  return out;
}

std::string NewsGenerator::query(std::mt19937_64& rng) const {
  // Rule writers name the entities they follow, popular or not: anchors are
  // drawn uniformly, while records mention entities by popularity. The context
  // word of a rule is, more often than not, one that goes with its anchor.
  std::size_t anchor = uniform(rng, entities_.size());
  auto e = [&] {
    anchor = uniform(rng, entities_.size());
    return entities_[anchor];
  };
  auto person = [&] {
    const auto& [f, l] = persons_[uniform(rng, persons_.size())];
    anchor = l;
    return "\"" + entities_[f] + " " + entities_[l] + "\"";
  };
  auto c = [&] {  // context: common, not stop words
    return uniform(rng, 100) < 60 ? associated(anchor, uniform(rng, 3)) : context_word(rng, 30, 600);
  };
  auto n = [&] { return context_word(rng, 300, 1500); };  // excluded: rarer words
  // A name and its endings (`Lukashenk*`): the name less its last two letters.
  auto prefix = [&] {
    const auto cps = utf8_code_points(e());
    std::string p;
    const std::size_t keep = cps.size() >= 7 ? cps.size() - 2 : cps.size();
    for (std::size_t i = 0; i < keep; ++i) append_utf8(p, cps[i]);
    return p + "*";
  };
  // The rule templates, with their weights in percent.
  const auto t = uniform(rng, 100);
  if (t < 26) return e() + " AND (" + c() + " OR " + c() + ")";
  if (t < 36) return person();
  if (t < 42) return person() + " AND " + c();
  if (t < 50) return e() + " NEAR/5 " + c();
  if (t < 58) return e() + " AND " + c() + " -" + n();
  if (t < 65) return prefix() + " AND " + c();
  if (t < 70) return "title:" + e() + " OR (" + e() + " AND " + c() + ")";
  if (t < 78) return "(" + e() + " OR " + e() + " OR " + e() + ") AND " + c();
  if (t < 82) return "repeat2:" + e();
  if (t < 88) return "(" + person() + " OR " + e() + ") AND (" + c() + " OR " + c() + ") AND NOT " + n();
  if (t < 92) return e() + " NEAR/s " + c();
  if (t < 96) return "\"" + e() + " " + c() + "\"~3";
  return e() + " ONEAR/4 " + c();
}

std::vector<rules::RuleDefinition> NewsGenerator::rules(std::size_t n) {
  std::vector<rules::RuleDefinition> out;
  std::mt19937_64 rng(seed_ ^ 0x2017E5ULL);
  static const rules::Severity kSeverities[] = {rules::Severity::info, rules::Severity::low,
                                                rules::Severity::medium, rules::Severity::high,
                                                rules::Severity::critical};
  for (std::size_t i = 0; i < n; ++i) {
    rules::RuleDefinition d;
    d.id = "g" + std::to_string(i);
    do {
      d.query = query(rng);  // a rare draw can never match (`x AND y -y`): draw again
    } while (!rules::parse_query(d.query).root);
    d.severity = kSeverities[uniform(rng, 5)];
    out.push_back(std::move(d));
  }
  return out;
}

std::string NewsGenerator::to_yaml(const std::vector<rules::RuleDefinition>& rules) {
  std::string out = "# Generated by bench/rules (NewsGenerator); do not edit.\nrules:\n";
  for (const auto& r : rules) {
    out += "  - id: " + r.id + "\n    query: " + yaml_single_quoted(r.query) +
           "\n    severity: " + std::string(rules::severity_name(r.severity)) + "\n";
  }
  return out;
}

}  // namespace wirewatch::bench
