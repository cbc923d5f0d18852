#include "wirewatch/normalizer/language.hpp"

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "wirewatch/common/text.hpp"

namespace wirewatch {
namespace {

struct Profile {
  std::string_view lang;
  std::vector<std::string_view> words;  // frequent function words, lowercase
};

const std::vector<Profile>& latin_profiles() {
  static const std::vector<Profile> profiles = {
      {"en",
       {"the", "and", "of", "to", "is", "that", "for", "with", "was", "are", "this", "it", "by", "from",
        "have"}},
      {"de",
       {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "von", "sich", "auf", "für", "ein", "eine",
        "dem", "auch", "zu"}},
      {"fr",
       {"le", "les", "et", "des", "est", "une", "du", "dans", "pour", "qui", "pas", "sur", "au", "avec",
        "sont"}},
      {"es",
       {"el", "los", "las", "y", "que", "en", "es", "por", "con", "para", "una", "del", "se", "lo", "como"}},
      {"it",
       {"il", "di", "che", "per", "non", "una", "con", "del", "della", "sono", "gli", "è", "nel", "alla"}},
      {"pt", {"o", "os", "não", "para", "com", "uma", "do", "da", "em", "é", "dos", "ao", "mais", "foi"}},
      {"nl",
       {"het", "een", "en", "van", "is", "dat", "niet", "op", "met", "voor", "zijn", "ook", "wordt", "naar"}},
      {"pl", {"i", "w", "nie", "na", "się", "że", "z", "do", "jest", "to", "jak", "przez", "dla", "oraz"}},
      {"cs", {"a", "je", "se", "na", "v", "že", "to", "s", "z", "jsou", "jako", "pro", "ale", "také"}},
      {"sv", {"och", "att", "det", "som", "en", "är", "på", "för", "med", "inte", "av", "till", "har"}},
      {"tr", {"ve", "bir", "bu", "da", "için", "ile", "olarak", "çok", "daha", "gibi", "olan"}},
  };
  return profiles;
}

bool in(char32_t cp, char32_t lo, char32_t hi) { return cp >= lo && cp <= hi; }

}  // namespace

std::string normalize_language_tag(std::string_view tag) {
  std::string out;
  for (char c : tag) {
    if (c == '-' || c == '_') break;
    if (c == ' ' || c == '\t') {
      if (out.empty()) continue;
      break;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c < 'a' || c > 'z') return {};
    out += c;
  }
  if (out.size() < 2 || out.size() > 3) return {};
  return out;
}

std::string detect_language(std::string_view text) {
  // Scripts first, over at most the first 20 KB.
  text = text.substr(0, 20000);
  std::size_t latin = 0, cyr = 0, greek = 0, arabic = 0, hebrew = 0, han = 0, kana = 0, hangul = 0;
  std::size_t uk_letters = 0, be_letters = 0, ru_letters = 0, i_letters = 0, hard_sign = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp = next_code_point(text, pos);
    if (cp < 0x80) {
      if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ++latin;
      continue;
    }
    if (in(cp, 0xC0, 0x24F))
      ++latin;
    else if (in(cp, 0x400, 0x4FF)) {
      ++cyr;
      switch (cp) {
        case U'ї':
        case U'Ї':
        case U'є':
        case U'Є':
        case U'ґ':
        case U'Ґ':
          ++uk_letters;
          break;
        case U'ў':
        case U'Ў':
          ++be_letters;
          break;
        case U'ы':
        case U'Ы':
        case U'э':
        case U'Э':
          ++ru_letters;
          break;
        case U'і':
        case U'І':
          ++i_letters;
          break;
        case U'ъ':
        case U'Ъ':
          ++hard_sign;
          break;
        default:
          break;
      }
    } else if (in(cp, 0x370, 0x3FF))
      ++greek;
    else if (in(cp, 0x600, 0x6FF))
      ++arabic;
    else if (in(cp, 0x590, 0x5FF))
      ++hebrew;
    else if (in(cp, 0x3040, 0x30FF))
      ++kana;
    else if (in(cp, 0x4E00, 0x9FFF))
      ++han;
    else if (in(cp, 0xAC00, 0xD7AF))
      ++hangul;
  }
  std::array<std::pair<std::size_t, std::string_view>, 7> scripts = {{{latin, "latin"},
                                                                      {cyr, "cyrillic"},
                                                                      {greek, "el"},
                                                                      {arabic, "ar"},
                                                                      {hebrew, "he"},
                                                                      {han + kana, "cjk"},
                                                                      {hangul, "ko"}}};
  auto best = scripts[0];
  for (const auto& s : scripts)
    if (s.first > best.first) best = s;
  if (best.first < 20) return {};
  if (best.second == "cyrillic") {
    if (be_letters > 0 && ru_letters > 0 && i_letters > 0) return "be";
    if (uk_letters > 0 || (i_letters > 0 && ru_letters == 0)) return "uk";
    if (ru_letters == 0 && hard_sign * 100 > cyr) return "bg";
    return "ru";
  }
  if (best.second == "cjk") return kana * 10 > han ? "ja" : "zh";
  if (best.second != "latin") return std::string(best.second);

  // Latin script: count function words.
  std::unordered_map<std::string, std::size_t> counts;
  std::string word;
  std::size_t words = 0;
  auto flush = [&] {
    if (!word.empty()) {
      ++words;
      if (word.size() <= 8) ++counts[word];
      word.clear();
    }
  };
  std::string folded = fold_case(text);
  for (std::size_t pos = 0; pos < folded.size();) {
    std::size_t start = pos;
    char32_t cp = next_code_point(folded, pos);
    if (is_word_char(cp))
      word.append(folded, start, pos - start);
    else
      flush();
  }
  flush();
  if (words < 8) return {};
  std::string_view best_lang;
  std::size_t best_score = 0, second = 0;
  for (const auto& p : latin_profiles()) {
    std::size_t score = 0;
    for (auto w : p.words) {
      auto it = counts.find(std::string(w));
      if (it != counts.end()) score += it->second;
    }
    if (score > best_score) {
      second = best_score;
      best_score = score;
      best_lang = p.lang;
    } else if (score > second) {
      second = score;
    }
  }
  if (best_score < 3 || best_score * 10 < words) return {};
  return std::string(best_lang);
}

}  // namespace wirewatch
