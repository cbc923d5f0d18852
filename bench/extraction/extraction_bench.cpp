// Runs the library path behind `wirewatch extract` over a set of pages and
// writes one JSON line per page (file, ok, title, body, error); prints the CPU
// time spent in extract_article (one thread) and pages per second.
//
//   extraction_bench --pages DIR --cases cases.json [--parser libxml2|gumbo]
//                    [--repeat N] [--out results.jsonl]
//
// cases.json maps file names to {"url": ...} (the dev set's format); the body
// written is what the scorer reads: the paragraphs joined by blank lines.
#include <time.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "wirewatch/normalizer/extract.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// CPU time of this thread: pages per second on one core, whatever else the
// machine is doing.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int usage() {
  std::cerr << "usage: extraction_bench --pages DIR --cases cases.json [--parser libxml2|gumbo] "
               "[--repeat N] [--out FILE]\n";
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  std::string pages_dir, cases_path, out_path, only, parser = "libxml2";
  int repeat = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--pages")
      pages_dir = value();
    else if (a == "--cases")
      cases_path = value();
    else if (a == "--out")
      out_path = value();
    else if (a == "--parser")
      parser = value();
    else if (a == "--only")
      only = value();
    else if (a == "--repeat")
      repeat = std::max(1, std::atoi(value().c_str()));
    else
      return usage();
  }
  if (pages_dir.empty() || cases_path.empty() || (parser != "libxml2" && parser != "gumbo")) return usage();

  auto cases = nlohmann::json::parse(read_file(cases_path), nullptr, false);
  if (!cases.is_object()) {
    std::cerr << "extraction_bench: cannot read " << cases_path << '\n';
    return 1;
  }
  struct Page {
    std::string file, url, bytes;
  };
  std::vector<Page> pages;
  std::size_t total_bytes = 0;
  for (auto it = cases.begin(); it != cases.end(); ++it) {
    if (!only.empty() && it.key() != only) continue;
    Page p{it.key(), it.value().value("url", ""), read_file(pages_dir + "/" + it.key())};
    total_bytes += p.bytes.size();
    pages.push_back(std::move(p));
  }

  wirewatch::ExtractOptions options;
  options.parser = parser == "gumbo" ? wirewatch::HtmlParser::gumbo : wirewatch::HtmlParser::libxml2;
  std::ofstream out;
  if (!out_path.empty()) out.open(out_path, std::ios::binary);

  double seconds = 0;
  std::size_t failures = 0;
  for (int r = 0; r < repeat; ++r) {
    for (const auto& p : pages) {
      options.url = p.url;
      double start = cpu_seconds();
      auto result = wirewatch::extract_article(p.bytes, options);
      seconds += cpu_seconds() - start;
      if (r != 0) continue;
      if (!only.empty()) {
        if (auto* a = std::get_if<wirewatch::Article>(&result))
          std::cout << wirewatch::write_record(a->text) << "\n";
        else
          std::cout << "ERROR " << std::get<wirewatch::ExtractError>(result).message << "\n";
      }
      nlohmann::json line = {{"file", p.file}};
      if (auto* a = std::get_if<wirewatch::Article>(&result)) {
        line["ok"] = true;
        line["title"] = a->text.title;
        line["body"] = a->text.body();
        line["url"] = a->canonical_url;
        line["lang"] = a->language;
        line["author"] = a->author;
        if (a->published) line["published"] = wirewatch::format_utc(*a->published);
      } else {
        ++failures;
        line["ok"] = false;
        line["error"] = std::get<wirewatch::ExtractError>(result).message;
      }
      if (out) out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
  }
  double n = static_cast<double>(pages.size()) * repeat;
  std::cerr << "extraction_bench: parser=" << parser << " pages=" << pages.size() << " repeat=" << repeat
            << " failures=" << failures << " MB=" << static_cast<double>(total_bytes) / 1e6
            << " seconds=" << seconds << " pages_per_s=" << n / seconds << '\n';
  std::cout << "{\"parser\":\"" << parser << "\",\"pages\":" << pages.size()
            << ",\"seconds\":" << seconds / repeat << ",\"pages_per_s\":" << n / seconds << "}\n";
  return 0;
}
