// Text helpers of the feed parser: entities, HTML to plain text, white space.
#include <algorithm>
#include <array>
#include <cstring>

#include "feed_parser_detail.hpp"

namespace wirewatch::connectors::detail {
namespace {

struct Entity {
  std::string_view name;
  char32_t cp;
};

// HTML 4's 252 entities and &apos;, sorted by name (byte order).
constexpr Entity kEntities[] = {
    {"AElig", 0xC6},     {"Aacute", 0xC1},   {"Acirc", 0xC2},    {"Agrave", 0xC0},   {"Alpha", 0x391},
    {"Aring", 0xC5},     {"Atilde", 0xC3},   {"Auml", 0xC4},     {"Beta", 0x392},    {"Ccedil", 0xC7},
    {"Chi", 0x3A7},      {"Dagger", 0x2021}, {"Delta", 0x394},   {"ETH", 0xD0},      {"Eacute", 0xC9},
    {"Ecirc", 0xCA},     {"Egrave", 0xC8},   {"Epsilon", 0x395}, {"Eta", 0x397},     {"Euml", 0xCB},
    {"Gamma", 0x393},    {"Iacute", 0xCD},   {"Icirc", 0xCE},    {"Igrave", 0xCC},   {"Iota", 0x399},
    {"Iuml", 0xCF},      {"Kappa", 0x39A},   {"Lambda", 0x39B},  {"Mu", 0x39C},      {"Ntilde", 0xD1},
    {"Nu", 0x39D},       {"OElig", 0x152},   {"Oacute", 0xD3},   {"Ocirc", 0xD4},    {"Ograve", 0xD2},
    {"Omega", 0x3A9},    {"Omicron", 0x39F}, {"Oslash", 0xD8},   {"Otilde", 0xD5},   {"Ouml", 0xD6},
    {"Phi", 0x3A6},      {"Pi", 0x3A0},      {"Prime", 0x2033},  {"Psi", 0x3A8},     {"Rho", 0x3A1},
    {"Scaron", 0x160},   {"Sigma", 0x3A3},   {"THORN", 0xDE},    {"Tau", 0x3A4},     {"Theta", 0x398},
    {"Uacute", 0xDA},    {"Ucirc", 0xDB},    {"Ugrave", 0xD9},   {"Upsilon", 0x3A5}, {"Uuml", 0xDC},
    {"Xi", 0x39E},       {"Yacute", 0xDD},   {"Yuml", 0x178},    {"Zeta", 0x396},    {"aacute", 0xE1},
    {"acirc", 0xE2},     {"acute", 0xB4},    {"aelig", 0xE6},    {"agrave", 0xE0},   {"alefsym", 0x2135},
    {"alpha", 0x3B1},    {"amp", 0x26},      {"and", 0x2227},    {"ang", 0x2220},    {"apos", 0x27},
    {"aring", 0xE5},     {"asymp", 0x2248},  {"atilde", 0xE3},   {"auml", 0xE4},     {"bdquo", 0x201E},
    {"beta", 0x3B2},     {"brvbar", 0xA6},   {"bull", 0x2022},   {"cap", 0x2229},    {"ccedil", 0xE7},
    {"cedil", 0xB8},     {"cent", 0xA2},     {"chi", 0x3C7},     {"circ", 0x2C6},    {"clubs", 0x2663},
    {"cong", 0x2245},    {"copy", 0xA9},     {"crarr", 0x21B5},  {"cup", 0x222A},    {"curren", 0xA4},
    {"dArr", 0x21D3},    {"dagger", 0x2020}, {"darr", 0x2193},   {"deg", 0xB0},      {"delta", 0x3B4},
    {"diams", 0x2666},   {"divide", 0xF7},   {"eacute", 0xE9},   {"ecirc", 0xEA},    {"egrave", 0xE8},
    {"empty", 0x2205},   {"emsp", 0x2003},   {"ensp", 0x2002},   {"epsilon", 0x3B5}, {"equiv", 0x2261},
    {"eta", 0x3B7},      {"eth", 0xF0},      {"euml", 0xEB},     {"euro", 0x20AC},   {"exist", 0x2203},
    {"fnof", 0x192},     {"forall", 0x2200}, {"frac12", 0xBD},   {"frac14", 0xBC},   {"frac34", 0xBE},
    {"frasl", 0x2044},   {"gamma", 0x3B3},   {"ge", 0x2265},     {"gt", 0x3E},       {"hArr", 0x21D4},
    {"harr", 0x2194},    {"hearts", 0x2665}, {"hellip", 0x2026}, {"iacute", 0xED},   {"icirc", 0xEE},
    {"iexcl", 0xA1},     {"igrave", 0xEC},   {"image", 0x2111},  {"infin", 0x221E},  {"int", 0x222B},
    {"iota", 0x3B9},     {"iquest", 0xBF},   {"isin", 0x2208},   {"iuml", 0xEF},     {"kappa", 0x3BA},
    {"lArr", 0x21D0},    {"lambda", 0x3BB},  {"lang", 0x2329},   {"laquo", 0xAB},    {"larr", 0x2190},
    {"lceil", 0x2308},   {"ldquo", 0x201C},  {"le", 0x2264},     {"lfloor", 0x230A}, {"lowast", 0x2217},
    {"loz", 0x25CA},     {"lrm", 0x200E},    {"lsaquo", 0x2039}, {"lsquo", 0x2018},  {"lt", 0x3C},
    {"macr", 0xAF},      {"mdash", 0x2014},  {"micro", 0xB5},    {"middot", 0xB7},   {"minus", 0x2212},
    {"mu", 0x3BC},       {"nabla", 0x2207},  {"nbsp", 0xA0},     {"ndash", 0x2013},  {"ne", 0x2260},
    {"ni", 0x220B},      {"not", 0xAC},      {"notin", 0x2209},  {"nsub", 0x2284},   {"ntilde", 0xF1},
    {"nu", 0x3BD},       {"oacute", 0xF3},   {"ocirc", 0xF4},    {"oelig", 0x153},   {"ograve", 0xF2},
    {"oline", 0x203E},   {"omega", 0x3C9},   {"omicron", 0x3BF}, {"oplus", 0x2295},  {"or", 0x2228},
    {"ordf", 0xAA},      {"ordm", 0xBA},     {"oslash", 0xF8},   {"otilde", 0xF5},   {"otimes", 0x2297},
    {"ouml", 0xF6},      {"para", 0xB6},     {"part", 0x2202},   {"permil", 0x2030}, {"perp", 0x22A5},
    {"phi", 0x3C6},      {"pi", 0x3C0},      {"piv", 0x3D6},     {"plusmn", 0xB1},   {"pound", 0xA3},
    {"prime", 0x2032},   {"prod", 0x220F},   {"prop", 0x221D},   {"psi", 0x3C8},     {"quot", 0x22},
    {"rArr", 0x21D2},    {"radic", 0x221A},  {"rang", 0x232A},   {"raquo", 0xBB},    {"rarr", 0x2192},
    {"rceil", 0x2309},   {"rdquo", 0x201D},  {"real", 0x211C},   {"reg", 0xAE},      {"rfloor", 0x230B},
    {"rho", 0x3C1},      {"rlm", 0x200F},    {"rsaquo", 0x203A}, {"rsquo", 0x2019},  {"sbquo", 0x201A},
    {"scaron", 0x161},   {"sdot", 0x22C5},   {"sect", 0xA7},     {"shy", 0xAD},      {"sigma", 0x3C3},
    {"sigmaf", 0x3C2},   {"sim", 0x223C},    {"spades", 0x2660}, {"sub", 0x2282},    {"sube", 0x2286},
    {"sum", 0x2211},     {"sup", 0x2283},    {"sup1", 0xB9},     {"sup2", 0xB2},     {"sup3", 0xB3},
    {"supe", 0x2287},    {"szlig", 0xDF},    {"tau", 0x3C4},     {"there4", 0x2234}, {"theta", 0x3B8},
    {"thetasym", 0x3D1}, {"thinsp", 0x2009}, {"thorn", 0xFE},    {"tilde", 0x2DC},   {"times", 0xD7},
    {"trade", 0x2122},   {"uArr", 0x21D1},   {"uacute", 0xFA},   {"uarr", 0x2191},   {"ucirc", 0xFB},
    {"ugrave", 0xF9},    {"uml", 0xA8},      {"upsih", 0x3D2},   {"upsilon", 0x3C5}, {"uuml", 0xFC},
    {"weierp", 0x2118},  {"xi", 0x3BE},      {"yacute", 0xFD},   {"yen", 0xA5},      {"yuml", 0xFF},
    {"zeta", 0x3B6},     {"zwj", 0x200D},    {"zwnj", 0x200C},
};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Parses a character reference at s[pos] == '&'. On success returns the code
// point and sets `len` to the reference's length (through ';').
std::optional<char32_t> char_ref(std::string_view s, std::size_t pos, std::size_t& len) {
  std::size_t p = pos + 1;
  if (p < s.size() && s[p] == '#') {
    ++p;
    const bool hex = p < s.size() && (s[p] == 'x' || s[p] == 'X');
    if (hex) ++p;
    const std::size_t start = p;
    std::uint32_t v = 0;
    while (p < s.size() && p - start < 8) {
      const char c = s[p];
      int d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (hex && c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        break;
      v = v * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
      ++p;
    }
    if (p == start || p >= s.size() || s[p] != ';') return std::nullopt;
    len = p + 1 - pos;
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return U'\uFFFD';
    return static_cast<char32_t>(v);
  }
  const std::size_t start = p;
  while (p < s.size() && p - start < 32 && is_alnum(s[p])) ++p;
  if (p == start || p >= s.size() || s[p] != ';') return std::nullopt;
  auto cp = html_entity(s.substr(start, p - start));
  if (cp) len = p + 1 - pos;
  return cp;
}

// Inline elements: dropping them joins words, so they leave no space.
bool is_inline_tag(std::string_view name) {
  static constexpr std::array<std::string_view, 20> kInline = {
      "a", "abbr", "b",     "big",  "cite",   "code",   "em",  "font", "i", "mark",
      "q", "s",    "small", "span", "strike", "strong", "sub", "sup",  "u", "time"};
  for (auto n : kInline) {
    if (name.size() == n.size() &&
        std::equal(name.begin(), name.end(), n.begin(), [](char a, char b) { return lower(a) == b; }))
      return true;
  }
  return false;
}

}  // namespace

std::optional<char32_t> html_entity(std::string_view name) {
  const auto* begin = std::begin(kEntities);
  const auto* end = std::end(kEntities);
  const auto* it =
      std::lower_bound(begin, end, name, [](const Entity& e, std::string_view n) { return e.name < n; });
  if (it != end && it->name == name) return it->cp;
  return std::nullopt;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string decode_html_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, amp - i));
    std::size_t len = 0;
    if (auto cp = char_ref(s, amp, len)) {
      append_utf8(out, *cp);
      i = amp + len;
    } else {
      out += '&';
      i = amp + 1;
    }
  }
  return out;
}

bool looks_like_html(std::string_view s) {
  // a plain loop: find_first_of calls memchr once per byte
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '<' && s[i] != '&') continue;
    const char n = s[i + 1];
    if (s[i] == '<') {
      if ((is_alpha(n) || n == '/' || n == '!') && s.find('>', i) != std::string_view::npos) return true;
    } else {
      std::size_t len = 0;
      if (char_ref(s, i, len)) return true;
    }
  }
  return false;
}

std::string collapse_whitespace(std::string_view s) {
  auto is_ws = [](unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    // a run of ordinary bytes, copied at once
    std::size_t j = i;
    while (j < n) {
      const auto c = static_cast<unsigned char>(s[j]);
      if (is_ws(c) || (c == 0xC2 && j + 1 < n && static_cast<unsigned char>(s[j + 1]) == 0xA0)) break;
      ++j;
    }
    if (j > i) {
      if (!out.empty()) out += ' ';
      out.append(s.substr(i, j - i));
    }
    // a run of white space (U+00A0 no-break space included)
    while (j < n) {
      const auto c = static_cast<unsigned char>(s[j]);
      if (is_ws(c))
        ++j;
      else if (c == 0xC2 && j + 1 < n && static_cast<unsigned char>(s[j + 1]) == 0xA0)
        j += 2;
      else
        break;
    }
    i = j;
  }
  return out;
}

std::string html_to_text(std::string_view html) {
  std::string text;
  text.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const std::size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) {
      text.append(html.substr(i));
      break;
    }
    text.append(html.substr(i, lt - i));
    const char n = lt + 1 < html.size() ? html[lt + 1] : '\0';
    if (html.substr(lt, 4) == "<!--") {
      const std::size_t end = html.find("-->", lt + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    if (!(is_alpha(n) || n == '/' || n == '!' || n == '?')) {
      text += '<';
      i = lt + 1;
      continue;
    }
    const std::size_t gt = html.find('>', lt);
    if (gt == std::string_view::npos) break;  // a truncated tag
    std::size_t p = lt + 1 + (n == '/' ? 1 : 0);
    const std::size_t name_start = p;
    while (p < gt && is_alnum(html[p])) ++p;
    const std::string_view name = html.substr(name_start, p - name_start);
    if (!is_inline_tag(name)) text += ' ';
    // script and style hold no text for a reader
    if (n != '/' && (name.size() == 6 || name.size() == 5)) {
      std::string lname(name);
      for (auto& c : lname) c = lower(c);
      if (lname == "script" || lname == "style") {
        std::string close = "</" + lname;
        std::size_t end = gt;
        for (;;) {
          end = html.find("</", end);
          if (end == std::string_view::npos) break;
          std::string cand(html.substr(end, close.size()));
          for (auto& c : cand) c = lower(c);
          if (cand == close) break;
          end += 2;
        }
        if (end == std::string_view::npos) {
          i = html.size();
          continue;
        }
        const std::size_t close_gt = html.find('>', end);
        i = close_gt == std::string_view::npos ? html.size() : close_gt + 1;
        continue;
      }
    }
    i = gt + 1;
  }
  return collapse_whitespace(decode_html_entities(text));
}

std::string plain_text(std::string_view raw, TextKind kind) {
  if (kind == TextKind::guess) kind = looks_like_html(raw) ? TextKind::html : TextKind::text;
  if (kind == TextKind::html) return html_to_text(raw);
  return collapse_whitespace(raw);
}

std::string describe_offset(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  std::size_t column = 1;
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace wirewatch::connectors::detail
