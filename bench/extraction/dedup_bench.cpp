// Near-duplicate detection on a page set: false positives among distinct pages,
// and recall on modified copies of them.
//
//   dedup_bench --pages DIR --cases cases.json [--threshold T] [--edit 0.10] [--seed N]
//
// Every page goes through extract_article and text_fingerprint. False positives:
// the pages are added to one NearDuplicateIndex in order; a page for which find()
// returns an earlier page is a false positive (the set's pages are distinct).
// Recall: for every page with a usable fingerprint a copy is made as another
// site would publish it — a different HTML template (header, navigation, share
// and newsletter blocks, a related-stories list and a footer, drawn from a pool
// and shuffled), a different title, and the text edited: each word is, with
// probability `edit`, replaced, deleted, or followed by an inserted word. The
// copy goes through the same extraction; it is caught when find() returns its
// original. Memory: heap in use (mallinfo2) before and after filling an index
// with its default maximum of random signatures under 16-character ids, as
// record ids are; time per find() of a random signature in it. Prints one JSON object.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "wirewatch/normalizer/extract.hpp"
#include "wirewatch/normalizer/fingerprint.hpp"

namespace {

using namespace wirewatch;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const std::vector<std::string>& filler_words() {
  static const std::vector<std::string> words = {
      "report",    "said",      "government", "city",    "new",   "week",      "people", "police", "market",
      "officials", "according", "year",       "Bericht", "sagte", "Regierung", "neue",   "Woche",  "Menschen",
      "später",    "however",   "also",       "still",   "early", "local",     "plan",   "vote"};
  return words;
}

std::vector<std::string> split_words(const std::string& p) {
  std::vector<std::string> out;
  std::istringstream in(p);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

std::string edit_text(const std::string& paragraph, double rate, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  const auto& fill = filler_words();
  std::uniform_int_distribution<std::size_t> pick(0, fill.size() - 1);
  std::string out;
  for (const auto& w : split_words(paragraph)) {
    double r = u(rng);
    std::string word = w;
    if (r < rate / 3)
      word = fill[pick(rng)];  // replaced
    else if (r < 2 * rate / 3)
      continue;  // deleted
    if (!out.empty()) out += ' ';
    out += word;
    if (r >= 2 * rate / 3 && r < rate) out += " " + fill[pick(rng)];  // inserted after
  }
  return out;
}

std::string boilerplate_block(int kind, std::mt19937& rng) {
  std::uniform_int_distribution<int> n(3, 8);
  std::string out;
  switch (kind) {
    case 0: {
      out += "<nav class=\"main-nav\"><ul>";
      for (int i = n(rng); i > 0; --i)
        out +=
            "<li><a href=\"/section/" + std::to_string(i) + "\">Section " + std::to_string(i) + "</a></li>";
      out += "</ul></nav>";
      break;
    }
    case 1:
      out +=
          "<div class=\"share-bar\"><span>Share this story</span> <a href=\"#\">Facebook</a> <a "
          "href=\"#\">Twitter</a> <a href=\"#\">Email</a></div>";
      break;
    case 2:
      out +=
          "<div class=\"newsletter-signup\"><h3>Get our morning briefing</h3><p>Sign up for the newsletter "
          "and get the day's top stories in your inbox every morning.</p><form><input "
          "type=\"email\"><button>Subscribe</button></form></div>";
      break;
    case 3: {
      out += "<aside class=\"related-stories\"><h3>Related stories</h3><ul>";
      for (int i = n(rng); i > 0; --i)
        out += "<li><a href=\"/story/" + std::to_string(i * 7919 % 1000) + "\">Another headline number " +
               std::to_string(i) + " about events elsewhere today</a></li>";
      out += "</ul></aside>";
      break;
    }
    case 4:
      out +=
          "<div class=\"cookie-banner\"><p>We use cookies to improve your experience on our site. By "
          "continuing you accept our use of cookies.</p><button>OK</button></div>";
      break;
    default:
      out += "<div class=\"ad-slot\"><span>Advertisement</span></div>";
  }
  return out;
}

std::string make_copy(const RecordText& text, double rate, std::mt19937& rng) {
  std::vector<int> kinds = {0, 1, 2, 3, 4, 5};
  std::shuffle(kinds.begin(), kinds.end(), rng);
  std::string html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                     escape_html(text.title) + " - The Syndicate Daily</title></head><body>";
  html += "<header class=\"site-header\"><a class=\"logo\" href=\"/\">The Syndicate Daily</a>";
  html += boilerplate_block(kinds[0], rng) + "</header><div class=\"layout\"><main><article class=\"story\">";
  html += "<h1>" + escape_html(edit_text(text.title, rate, rng)) + "</h1><div class=\"story-text\">";
  for (std::size_t i = 0; i < text.paragraphs.size(); ++i) {
    html += "<p>" + escape_html(edit_text(text.paragraphs[i], rate, rng)) + "</p>";
    if (i == text.paragraphs.size() / 2) html += boilerplate_block(kinds[1], rng);
  }
  html += "</div>" + boilerplate_block(kinds[2], rng) + "</article></main><div class=\"sidebar\">";
  html += boilerplate_block(kinds[3], rng) + boilerplate_block(kinds[4], rng) + "</div></div>";
  html +=
      "<footer>" + boilerplate_block(kinds[5], rng) + "<p>© The Syndicate Daily</p></footer></body></html>";
  return html;
}

}  // namespace

// A full index of the default size: heap bytes per fingerprint held, and the
// cost of a look-up that finds nothing (the common case: a first copy).
struct IndexFigures {
  double bytes_per_fingerprint = 0;
  double find_us = 0;
};

IndexFigures index_figures() {
  std::mt19937 rng(1);
  const std::size_t n = NearDuplicateIndex::kDefaultMaxRecords;
  auto random_fingerprint = [&] {
    TextFingerprint fp;
    for (auto& h : fp.minhash) h = static_cast<std::uint32_t>(rng());
    fp.shingles = 100;
    return fp;
  };
  std::vector<std::pair<std::string, TextFingerprint>> input(n);
  char id[17];
  for (auto& [name, fp] : input) {
    std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()) << 32 | rng());
    name = id;
    fp = random_fingerprint();
  }
  // In use: small chunks (uordblks) and the large ones glibc maps on their own (hblkhd).
  auto in_use = [] {
    auto m = mallinfo2();
    return m.uordblks + m.hblkhd;
  };
  const auto before = in_use();
  NearDuplicateIndex index;
  for (auto& [name, fp] : input) index.add(std::move(name), fp);
  IndexFigures out;
  out.bytes_per_fingerprint = static_cast<double>(in_use() - before) / static_cast<double>(index.size());

  std::vector<TextFingerprint> probes(n);
  for (auto& fp : probes) fp = random_fingerprint();
  std::size_t found = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& fp : probes) found += index.find(fp).has_value();
  const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - t0;
  out.find_us = took.count() / static_cast<double>(probes.size());
  if (found > 0) std::cerr << "dedup_bench: " << found << " random signatures matched\n";
  return out;
}

int main(int argc, char** argv) {
  std::string pages_dir, cases_path;
  double threshold = NearDuplicateIndex::kDefaultThreshold, rate = 0.10;
  unsigned seed = 42;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--pages")
      pages_dir = value();
    else if (a == "--cases")
      cases_path = value();
    else if (a == "--threshold")
      threshold = std::stod(value());
    else if (a == "--edit")
      rate = std::stod(value());
    else if (a == "--seed")
      seed = static_cast<unsigned>(std::stoul(value()));
    else {
      std::cerr
          << "usage: dedup_bench --pages DIR --cases cases.json [--threshold T] [--edit R] [--seed N]\n";
      return 64;
    }
  }
  auto cases = nlohmann::json::parse(read_file(cases_path), nullptr, false);
  if (!cases.is_object()) {
    std::cerr << "dedup_bench: cannot read " << cases_path << '\n';
    return 1;
  }

  struct Page {
    std::string file;
    RecordText text;
    TextFingerprint fp;
  };
  std::vector<Page> pages;
  for (auto it = cases.begin(); it != cases.end(); ++it) {
    ExtractOptions options;
    options.url = it.value().value("url", "");
    auto result = extract_article(read_file(pages_dir + "/" + it.key()), options);
    Page p{it.key(), {}, {}};
    if (auto* a = std::get_if<Article>(&result)) p.text = a->text;
    p.fp = text_fingerprint(p.text);
    pages.push_back(std::move(p));
  }

  NearDuplicateIndex index(threshold);
  std::size_t false_positives = 0, usable = 0;
  nlohmann::json fp_pairs = nlohmann::json::array();
  for (const auto& p : pages) {
    if (p.fp.empty()) continue;
    ++usable;
    if (auto hit = index.find(p.fp)) {
      ++false_positives;
      fp_pairs.push_back({p.file, *hit});
    }
    index.add(p.file, p.fp);
  }
  // The closest pairs of pages: the margin below the threshold.
  std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < pages.size(); ++i)
    for (std::size_t j = i + 1; j < pages.size(); ++j)
      if (double sim = similarity(pages[i].fp, pages[j].fp); sim >= 0.2) pairs.emplace_back(sim, i, j);
  std::sort(pairs.rbegin(), pairs.rend());
  nlohmann::json closest = nlohmann::json::array();
  for (std::size_t k = 0; k < std::min<std::size_t>(pairs.size(), 8); ++k) {
    auto [sim, i, j] = pairs[k];
    closest.push_back({{"similarity", sim}, {"a", pages[i].file}, {"b", pages[j].file}});
  }

  std::mt19937 rng(seed);
  std::size_t copies = 0, caught = 0, wrong = 0;
  std::vector<double> sims;
  for (const auto& p : pages) {
    if (p.fp.empty()) continue;
    ++copies;
    ExtractOptions options;
    options.url = "https://syndicate.example/story/" + std::to_string(copies);
    auto result = extract_article(make_copy(p.text, rate, rng), options);
    if (!std::holds_alternative<Article>(result)) continue;
    auto fp = text_fingerprint(std::get<Article>(result).text);
    sims.push_back(similarity(fp, p.fp));
    auto hit = index.find(fp);
    if (hit && *hit == p.file)
      ++caught;
    else if (hit)
      ++wrong;
  }
  std::sort(sims.begin(), sims.end());
  auto pct = [&](double q) {
    return sims.empty() ? 0.0 : sims[static_cast<std::size_t>(q * static_cast<double>(sims.size() - 1))];
  };

  const IndexFigures figures = index_figures();
  nlohmann::json out = {{"threshold", threshold},
                        {"edit_rate", rate},
                        {"pages", pages.size()},
                        {"pages_with_fingerprint", usable},
                        {"false_positives", false_positives},
                        {"false_positive_pairs", fp_pairs},
                        {"closest_pairs", closest},
                        {"copies", copies},
                        {"caught", caught},
                        {"matched_wrong_page", wrong},
                        {"recall", copies ? static_cast<double>(caught) / static_cast<double>(copies) : 0.0},
                        {"copy_similarity_p01", pct(0.01)},
                        {"copy_similarity_p05", pct(0.05)},
                        {"copy_similarity_median", pct(0.5)},
                        {"index_bytes_per_fingerprint", figures.bytes_per_fingerprint},
                        {"index_find_us", figures.find_us},
                        {"index_max_records", NearDuplicateIndex::kDefaultMaxRecords}};
  std::cout << out.dump(2) << '\n';
  return 0;
}
