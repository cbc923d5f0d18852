#include "wirewatch/normalizer/title.hpp"

#include <vector>

#include "wirewatch/common/text.hpp"
#include "wirewatch/normalizer/text_normalize.hpp"
#include "wirewatch/normalizer/url.hpp"

namespace wirewatch {
namespace {

struct Separator {
  std::string_view text;
  bool strong;  // a "|"-like separator: a short trailing part after it is a site name
};

constexpr Separator kSeparators[] = {{" | ", true},  {" || ", true}, {" – ", true}, {" — ", true},
                                     {" :: ", true}, {" · ", true},  {" • ", true}, {" » ", true},
                                     {" « ", true},  {" - ", false}, {" ‒ ", true}, {" ~ ", true}};

// Lowercase letters and digits only: "The Guardian" → "theguardian".
std::string squash(std::string_view s) {
  std::string folded = fold_case(s), out;
  for (std::size_t pos = 0; pos < folded.size();) {
    std::size_t start = pos;
    char32_t cp = next_code_point(folded, pos);
    if (is_word_char(cp)) out.append(folded, start, pos - start);
  }
  return out;
}

// "www.belta.by" → "belta"; "news.bbc.co.uk" → "bbc".
std::string host_key(std::string_view url) {
  std::string host = url_host(url);
  if (host.empty()) return {};
  std::vector<std::string> labels;
  std::size_t start = 0;
  while (start <= host.size()) {
    auto dot = host.find('.', start);
    if (dot == std::string::npos) dot = host.size();
    labels.push_back(host.substr(start, dot - start));
    start = dot + 1;
  }
  if (labels.size() < 2) return squash(host);
  std::size_t i = labels.size() - 2;
  if (labels.size() >= 3 && labels.back().size() == 2 && labels[i].size() <= 3) --i;
  return squash(labels[i]);
}

bool names_site(std::string_view part, const std::string& site, const std::string& host) {
  std::string p = squash(part);
  if (p.empty()) return false;
  if (!site.empty() && (p == site || (site.size() >= 4 && p.find(site) != std::string::npos) ||
                        (p.size() >= 4 && site.find(p) != std::string::npos)))
    return true;
  if (!host.empty() && (p == host || (host.size() >= 4 && p.find(host) != std::string::npos) ||
                        (p.size() >= 4 && host.find(p) != std::string::npos)))
    return true;
  return false;
}

}  // namespace

std::string strip_site_name(std::string_view raw_title, std::string_view site_name, std::string_view url) {
  std::string title = normalize_paragraph(raw_title);
  const std::string site = squash(site_name);
  const std::string host = host_key(url);

  for (int round = 0; round < 2; ++round) {
    bool changed = false;
    // The last separator: a suffix.
    std::size_t best = std::string::npos;
    const Separator* best_sep = nullptr;
    for (const auto& sep : kSeparators) {
      auto at = title.rfind(sep.text);
      if (at != std::string::npos && at > 0 && (best == std::string::npos || at > best)) {
        best = at;
        best_sep = &sep;
      }
    }
    if (best_sep) {
      std::string_view head(title.data(), best);
      std::string_view tail(title.data() + best + best_sep->text.size(),
                            title.size() - best - best_sep->text.size());
      bool by_name = names_site(tail, site, host);
      bool by_shape = round == 0 && site.empty() && word_count(tail) <= (best_sep->strong ? 4u : 3u) &&
                      word_count(head) > word_count(tail) && code_point_count(head) >= 15;
      if (!tail.empty() && !head.empty() && (by_name || by_shape)) {
        title = std::string(head);
        changed = true;
      }
    }
    // The first separator: a prefix naming the site ("BelTA | Lukashenko ...").
    std::size_t first = std::string::npos;
    const Separator* first_sep = nullptr;
    for (const auto& sep : kSeparators) {
      auto at = title.find(sep.text);
      if (at != std::string::npos && at > 0 && (first == std::string::npos || at < first)) {
        first = at;
        first_sep = &sep;
      }
    }
    if (first_sep) {
      std::string_view head(title.data(), first);
      std::string_view tail(title.data() + first + first_sep->text.size(),
                            title.size() - first - first_sep->text.size());
      if (!tail.empty() && names_site(head, site, host) && code_point_count(tail) >= 10) {
        title = std::string(tail);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return title;
}

}  // namespace wirewatch
