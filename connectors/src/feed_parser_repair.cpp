// Recovery for feeds that are not well-formed XML: a cheap pre-pass that every
// feed goes through (entities, control characters), and a tag balancer that
// runs only when pugixml rejects the document.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "feed_parser_detail.hpp"

namespace wirewatch::connectors::detail {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_name_start(char c) {
  return is_alpha(c) || c == '_' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) { return is_name_start(c) || is_digit(c) || c == '-' || c == '.'; }

bool istarts_with(std::string_view s, std::size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[pos + i]) != lower(prefix[i])) return false;
  }
  return true;
}

bool icontains(std::string_view s, std::string_view needle) {
  if (needle.size() > s.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= s.size(); ++i) {
    if (istarts_with(s, i, needle)) return true;
  }
  return false;
}

// Control characters XML does not allow: all below 0x20 but tab, newline and carriage return.
bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 && u != '\t' && u != '\n' && u != '\r';
}

struct DeclaredEntity {
  std::string name;
  std::string value;  // ready to insert into text or an attribute value
};

// <!ENTITY name "value"> declarations of an internal subset whose value is plain
// text or a single character reference (feedparser's "safe" entities). External
// and parameter entities are ignored: nothing is ever loaded.
std::vector<DeclaredEntity> safe_entities(std::string_view subset) {
  std::vector<DeclaredEntity> out;
  std::size_t p = 0;
  while ((p = subset.find("<!ENTITY", p)) != std::string_view::npos) {
    p += 8;
    while (p < subset.size() && is_space(subset[p])) ++p;
    if (p >= subset.size() || subset[p] == '%') continue;
    const std::size_t name_start = p;
    while (p < subset.size() && is_name_char(subset[p])) ++p;
    const std::string_view name = subset.substr(name_start, p - name_start);
    while (p < subset.size() && is_space(subset[p])) ++p;
    if (name.empty() || p >= subset.size() || (subset[p] != '"' && subset[p] != '\'')) continue;
    const char q = subset[p++];
    const std::size_t close = subset.find(q, p);
    if (close == std::string_view::npos) break;
    const std::string_view value = subset.substr(p, close - p);
    p = close + 1;
    const bool char_ref = value.size() > 3 && value[0] == '&' && value[1] == '#' && value.back() == ';' &&
                          value.find_first_of("&<", 1) == std::string_view::npos;
    if (!char_ref && value.find_first_of("&<%") != std::string_view::npos) continue;
    std::string escaped;
    if (char_ref) {
      escaped = value;
    } else {
      for (const char c : value) {
        if (c == '"')
          escaped += "&quot;";
        else if (c == '\'')
          escaped += "&apos;";
        else if (c == '>')
          escaped += "&gt;";
        else
          escaped += c;
      }
    }
    out.push_back({std::string(name), std::move(escaped)});
  }
  return out;
}

// Finds whether a position lies inside a CDATA section, a comment or the
// DOCTYPE, where '&' is not markup. Queried at increasing positions only, and
// only where a repair is due, so it costs nothing on well-formed feeds.
class RawRegions {
 public:
  RawRegions(std::string_view s, std::size_t doctype_begin, std::size_t doctype_end)
      : s_(s), begin_(doctype_begin), end_(doctype_end) {
    if (begin_ == std::string_view::npos) begin_ = end_ = 0;  // an empty region: search from the start
  }

  bool contains(std::size_t pos) {
    while (end_ <= pos && begin_ != std::string_view::npos) next();
    return begin_ != std::string_view::npos && begin_ <= pos && pos < end_;
  }

 private:
  void next() {
    std::size_t from = end_;
    for (;;) {
      const std::size_t lt = s_.find("<!", from);
      if (lt == std::string_view::npos) {
        begin_ = end_ = std::string_view::npos;
        return;
      }
      std::string_view term;
      std::size_t body = 0;
      if (s_.compare(lt, 9, "<![CDATA[") == 0)
        term = "]]>", body = lt + 9;
      else if (s_.compare(lt, 4, "<!--") == 0)
        term = "-->", body = lt + 4;
      if (term.empty()) {
        from = lt + 2;
        continue;
      }
      const std::size_t close = s_.find(term, body);
      begin_ = lt;
      end_ = close == std::string_view::npos ? s_.size() : close + term.size();
      return;
    }
  }

  std::string_view s_;
  std::size_t begin_, end_;
};

class Repairer {
 public:
  explicit Repairer(const std::string& text) : s_(text) {}

  RepairResult run(std::string& out) {
    prolog();
    controls();
    ampersands();
    if (edits_.empty()) return result_;
    std::sort(edits_.begin(), edits_.end(), [](const Edit& a, const Edit& b) { return a.at < b.at; });
    std::string rebuilt;
    rebuilt.reserve(s_.size() + s_.size() / 16 + 64);
    std::size_t copied = 0;
    for (const Edit& e : edits_) {
      rebuilt.append(s_.substr(copied, e.at - copied));
      rebuilt.append(e.with);
      copied = e.at + e.length;
    }
    rebuilt.append(s_.substr(copied));
    if (problem_at_ != std::string_view::npos)
      result_.problem = std::move(problem_) + " at " + describe_offset(s_, problem_at_);
    result_.changed = true;
    out.swap(rebuilt);
    return result_;
  }

 private:
  struct Edit {
    std::size_t at, length;
    std::string with;
  };

  void edit(std::size_t at, std::size_t length, std::string with) {
    edits_.push_back({at, length, std::move(with)});
  }

  // Keeps the problem found earliest in the text.
  void problem(std::size_t at, std::string_view what, std::string_view detail = {}) {
    if (problem_at_ != std::string_view::npos && problem_at_ <= at) return;
    problem_at_ = at;
    problem_.assign(what);
    problem_.append(detail);
  }

  // Control characters other than tab, newline and carriage return are dropped
  // wherever they are: XML allows them nowhere.
  void controls() {
    const std::size_t n = s_.size();
    std::size_t k = 0;
    auto check = [&](std::size_t j) {
      if (!is_control(s_[j])) return;
      char buf[48];
      std::snprintf(buf, sizeof buf, "not well-formed: control character U+%04X",
                    static_cast<unsigned>(static_cast<unsigned char>(s_[j])));
      problem(j, buf);
      edit(j, 1, {});
    };
#if defined(__SSE2__)
    // sixteen bytes at a time: bytes below 0x20 that are not tab, newline or return
    const __m128i limit = _mm_set1_epi8(0x1F), tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n'),
                  cr = _mm_set1_epi8('\r');
    for (; k + 16 <= n; k += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_.data() + k));
      const __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, limit), v);
      const __m128i allowed =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, nl)), _mm_cmpeq_epi8(v, cr));
      if (_mm_movemask_epi8(_mm_andnot_si128(allowed, low)) == 0) continue;
      for (std::size_t j = k; j < k + 16; ++j) check(j);
    }
#endif
    for (; k < n; ++k) check(k);
  }

  // Every '&': the five XML entities and character references stay; anything
  // else outside CDATA, comments and the DOCTYPE is repaired.
  void ampersands() {
    RawRegions raw(s_, doctype_begin_, doctype_end_);
    const std::size_t n = s_.size();
    for (std::size_t i = s_.find('&'); i != std::string_view::npos; i = s_.find('&', i + 1)) {
      std::size_t p = i + 1;
      if (p < n && s_[p] == '#') {
        ++p;
        const bool hex = p < n && (s_[p] == 'x' || s_[p] == 'X');
        if (hex) ++p;
        const std::size_t start = p;
        while (p < n && (is_digit(s_[p]) || (hex && std::isxdigit(static_cast<unsigned char>(s_[p]))))) ++p;
        if (p > start && p < n && s_[p] == ';' && p - start <= 8) continue;
        if (raw.contains(i)) continue;
        problem(i, "not well-formed: stray '&'");
        edit(i, 1, "&amp;");
        continue;
      }
      const std::size_t start = p;
      if (p < n && is_name_start(s_[p])) {
        while (p < n && p - start <= 64 && is_name_char(s_[p])) ++p;
      }
      if (p == start || p >= n || s_[p] != ';') {
        if (raw.contains(i)) continue;
        problem(i, "not well-formed: stray '&'");
        edit(i, 1, "&amp;");
        continue;
      }
      const std::string_view name = s_.substr(start, p - start);
      if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") continue;
      if (raw.contains(i)) continue;
      bool declared = false;
      for (const auto& e : declared_) {
        if (e.name == name) {
          edit(i, p + 1 - i, e.value);
          declared = true;
          break;
        }
      }
      if (declared) continue;
      if (auto cp = html_entity(name)) {
        if (!html_declared_) problem(i, "undefined entity &", std::string(name) + ";");
        edit(i, p + 1 - i, "&#" + std::to_string(static_cast<std::uint32_t>(*cp)) + ";");
        continue;
      }
      problem(i, "undefined entity &", std::string(name) + ";");
      edit(i, 1, "&amp;");  // kept as text: "&name;"
    }
  }

  // Before the document element: find the DOCTYPE, its internal subset's
  // entities, and whether it is Netscape's RSS 0.91 (which declares HTML's).
  void prolog() {
    const std::size_t n = s_.size();
    std::size_t i = 0;
    while (i < n) {
      const std::size_t lt = s_.find('<', i);
      if (lt == std::string_view::npos || lt + 1 >= n) return;
      const char c = s_[lt + 1];
      if (c == '?') {
        const std::size_t e = s_.find("?>", lt + 2);
        if (e == std::string_view::npos) return;
        i = e + 2;
      } else if (s_.compare(lt, 4, "<!--") == 0) {
        const std::size_t e = s_.find("-->", lt + 4);
        if (e == std::string_view::npos) return;
        i = e + 3;
      } else if (istarts_with(s_, lt, "<!DOCTYPE")) {
        doctype(lt);
        return;
      } else {
        return;  // the document element
      }
    }
  }

  void doctype(std::size_t i) {
    std::size_t p = i + 9;
    const std::size_t n = s_.size();
    std::size_t subset_start = std::string_view::npos, subset_end = std::string_view::npos;
    char quote = 0;
    for (; p < n; ++p) {
      const char c = s_[p];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (subset_start != std::string_view::npos && subset_end == std::string_view::npos) {
        if (c == ']')
          subset_end = p;
        else if (c == '"' || c == '\'')
          quote = c;
      } else if (c == '[') {
        subset_start = p + 1;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        break;
      }
    }
    doctype_begin_ = i;
    doctype_end_ = p < n ? p + 1 : n;
    if (subset_start != std::string_view::npos) {
      declared_ = safe_entities(
          s_.substr(subset_start, (subset_end == std::string_view::npos ? p : subset_end) - subset_start));
    }
    const std::string_view head =
        s_.substr(i, (subset_start == std::string_view::npos ? doctype_end_ : subset_start) - i);
    if (icontains(head, "netscape")) html_declared_ = true;
  }

  std::string_view s_;
  RepairResult result_;
  std::vector<Edit> edits_;
  std::size_t problem_at_ = std::string_view::npos;
  std::string problem_;
  std::vector<DeclaredEntity> declared_;
  bool html_declared_ = false;
  std::size_t doctype_begin_ = std::string_view::npos, doctype_end_ = std::string_view::npos;
};

bool is_void_element(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kVoid = {"br",  "hr",    "img",   "input", "area",
                                                             "col", "embed", "param", "track", "wbr"};
  for (auto v : kVoid) {
    if (name.size() == v.size()) {
      bool eq = true;
      for (std::size_t k = 0; k < v.size(); ++k) eq = eq && lower(name[k]) == v[k];
      if (eq) return true;
    }
  }
  return false;
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (lower(a[k]) != lower(b[k])) return false;
  }
  return true;
}

// Feed elements that hold text (or escaped HTML) and never a feed element: an
// unclosed one ends where the next feed element starts.
bool is_leaf_element(std::string_view name) {
  static constexpr std::array<std::string_view, 20> kLeaves = {
      "title",       "link",       "guid",    "pubDate",    "author",          "category",  "comments",
      "description", "summary",    "content", "id",         "updated",         "published", "lastBuildDate",
      "language",    "dc:creator", "dc:date", "dc:subject", "content:encoded", "issued"};
  for (auto l : kLeaves) {
    if (l == name) return true;
  }
  return false;
}

bool is_entry_element(std::string_view name) { return name == "item" || name == "entry"; }

void append_attr_value(std::string& out, std::string_view v) {
  for (const char c : v) {
    if (c == '"')
      out += "&quot;";
    else if (c == '<')
      out += "&lt;";
    else
      out += c;
  }
}

}  // namespace

RepairResult repair_markup(std::string& text) {
  Repairer r(text);
  return r.run(text);
}

std::string balance_tags(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 256);
  std::vector<std::string_view> open;
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const std::size_t lt = s.find('<', i);
    if (lt == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, lt - i));
    const std::string_view rest = s.substr(lt);
    auto copy_through = [&](std::size_t body, std::string_view term) -> bool {
      const std::size_t end = s.find(term, body);
      if (end == std::string_view::npos) return false;
      out.append(s.substr(lt, end + term.size() - lt));
      i = end + term.size();
      return true;
    };
    if (rest.starts_with("<!--")) {
      if (!copy_through(lt + 4, "-->")) i = n;  // a truncated comment is dropped
      continue;
    }
    if (rest.starts_with("<![CDATA[")) {
      if (!copy_through(lt + 9, "]]>")) {  // truncated: keep what there is
        out.append(rest);
        out.append("]]>");
        i = n;
      }
      continue;
    }
    if (rest.starts_with("<?")) {
      if (!copy_through(lt + 2, "?>")) i = n;
      continue;
    }
    if (rest.starts_with("<!")) {
      // DOCTYPE (with an internal subset) or another declaration
      std::size_t p = lt + 2;
      int depth = 0;
      for (; p < n; ++p) {
        if (s[p] == '[')
          ++depth;
        else if (s[p] == ']')
          --depth;
        else if (s[p] == '>' && depth <= 0)
          break;
      }
      if (p >= n) {
        i = n;
        continue;
      }
      out.append(s.substr(lt, p + 1 - lt));
      i = p + 1;
      continue;
    }
    if (rest.size() >= 2 && rest[1] == '/') {
      std::size_t p = lt + 2;
      const std::size_t name_start = p;
      while (p < n && is_name_char(s[p])) ++p;
      const std::string_view name = s.substr(name_start, p - name_start);
      const std::size_t gt = s.find('>', p);
      if (gt == std::string_view::npos) {  // truncated end tag
        i = n;
        continue;
      }
      i = gt + 1;
      if (name.empty()) continue;
      // the innermost open element of that name (exactly, else ignoring case)
      std::size_t k = open.size();
      while (k > 0 && open[k - 1] != name) --k;
      if (k == 0) {
        k = open.size();
        while (k > 0 && !iequal(open[k - 1], name)) --k;
      }
      if (k == 0) continue;  // closes nothing open: dropped
      while (open.size() >= k) {
        out += "</";
        out.append(open.back());
        out += '>';
        open.pop_back();
      }
      continue;
    }
    if (rest.size() < 2 || !is_name_start(rest[1])) {
      out += "&lt;";
      i = lt + 1;
      continue;
    }
    // a start tag
    std::size_t p = lt + 1;
    const std::size_t name_start = p;
    while (p < n && is_name_char(s[p])) ++p;
    const std::string_view name = s.substr(name_start, p - name_start);
    std::string tag = "<";
    tag.append(name);
    bool self_closing = false, complete = false;
    std::vector<std::string_view> seen;
    while (p < n) {
      while (p < n && is_space(s[p])) ++p;
      if (p >= n) break;
      if (s[p] == '>') {
        complete = true;
        ++p;
        break;
      }
      if (s[p] == '/') {
        if (p + 1 < n && s[p + 1] == '>') {
          self_closing = complete = true;
          p += 2;
          break;
        }
        ++p;
        continue;
      }
      if (s[p] == '<') break;  // the tag never ended: stop before the next one
      const std::size_t an = p;
      while (p < n && !is_space(s[p]) && s[p] != '=' && s[p] != '>' && s[p] != '/' && s[p] != '<') ++p;
      std::string_view attr = s.substr(an, p - an);
      if (attr.empty()) {
        ++p;
        continue;
      }
      while (p < n && is_space(s[p])) ++p;
      std::string_view value;
      bool has_value = false;
      if (p < n && s[p] == '=') {
        ++p;
        while (p < n && is_space(s[p])) ++p;
        if (p < n && (s[p] == '"' || s[p] == '\'')) {
          const char q = s[p];
          const std::size_t close = s.find(q, p + 1);
          if (close == std::string_view::npos) {
            p = n;  // truncated inside a value
            break;
          }
          value = s.substr(p + 1, close - p - 1);
          p = close + 1;
        } else {
          const std::size_t vs = p;
          while (p < n && !is_space(s[p]) && s[p] != '>' && s[p] != '<') ++p;
          value = s.substr(vs, p - vs);
        }
        has_value = true;
      }
      bool valid = is_name_start(attr[0]);
      for (const char c : attr) valid = valid && is_name_char(c);
      for (auto prev : seen) valid = valid && prev != attr;
      if (!valid) continue;
      seen.push_back(attr);
      tag += ' ';
      tag.append(attr);
      tag += "=\"";
      append_attr_value(tag, has_value ? value : attr);
      tag += '"';
    }
    if (!complete) {
      // a truncated start tag is dropped; one cut short by the next tag is kept
      if (p >= n) {
        i = n;
        continue;
      }
    }
    i = p;
    auto close_top = [&] {
      out += "</";
      out.append(open.back());
      out += '>';
      open.pop_back();
    };
    if (is_leaf_element(name) || is_entry_element(name)) {
      while (!open.empty() && is_leaf_element(open.back())) close_top();
    }
    if (is_entry_element(name)) {  // items do not nest: an unclosed one ends here
      std::size_t k = open.size();
      while (k > 0 && open[k - 1] != name) --k;
      while (k > 0 && open.size() >= k) close_top();
    }
    if (self_closing || is_void_element(name)) {
      tag += "/>";
      out += tag;
    } else {
      tag += '>';
      out += tag;
      open.push_back(name);
    }
  }
  while (!open.empty()) {
    out += "</";
    out.append(open.back());
    out += '>';
    open.pop_back();
  }
  return out;
}

}  // namespace wirewatch::connectors::detail
