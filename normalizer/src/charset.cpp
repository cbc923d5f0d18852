#include "wirewatch/normalizer/charset.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "wirewatch/common/text.hpp"

namespace wirewatch {
namespace {

constexpr std::size_t kPrescanBytes = 16 * 1024;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_ws(s.front()) || s.front() == '"' || s.front() == '\''))
    s.remove_prefix(1);
  while (!s.empty() && (is_ws(s.back()) || s.back() == '"' || s.back() == '\'' || s.back() == ';'))
    s.remove_suffix(1);
  return s;
}

// Case-insensitive search of an ASCII needle (lowercase) in haystack from pos.
std::size_t find_ci(std::string_view hay, std::string_view needle, std::size_t pos = 0) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (std::size_t i = pos; i + needle.size() <= hay.size(); ++i) {
    if (lower(hay[i]) != needle[0]) continue;
    std::size_t k = 1;
    while (k < needle.size() && lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

// The value after `charset=` in a Content-Type-like string.
std::string_view charset_param(std::string_view s) {
  auto at = find_ci(s, "charset");
  if (at == std::string_view::npos) return {};
  s.remove_prefix(at + 7);
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  if (s.empty() || s.front() != '=') return {};
  s.remove_prefix(1);
  while (!s.empty() && (is_ws(s.front()) || s.front() == '"' || s.front() == '\''))
    s.remove_prefix(1);
  std::size_t end = 0;
  while (end < s.size() && !is_ws(s[end]) && s[end] != ';' && s[end] != '"' && s[end] != '\'' &&
         s[end] != '>' && s[end] != '/')
    ++end;
  return s.substr(0, end);
}

// The value of attribute `name` (lowercase) of one tag's text ("<meta ...").
std::string_view attribute_in_tag(std::string_view tag, std::string_view name) {
  std::size_t p = 0;
  while (p < tag.size() && !is_ws(tag[p])) ++p;  // "<meta"
  while (p < tag.size()) {
    while (p < tag.size() && (is_ws(tag[p]) || tag[p] == '/')) ++p;
    std::size_t name_start = p;
    while (p < tag.size() && !is_ws(tag[p]) && tag[p] != '=' && tag[p] != '>' && tag[p] != '/') ++p;
    std::string_view attr = tag.substr(name_start, p - name_start);
    while (p < tag.size() && is_ws(tag[p])) ++p;
    std::string_view value;
    if (p < tag.size() && tag[p] == '=') {
      ++p;
      while (p < tag.size() && is_ws(tag[p])) ++p;
      if (p < tag.size() && (tag[p] == '"' || tag[p] == '\'')) {
        char quote = tag[p];
        auto end = tag.find(quote, p + 1);
        if (end == std::string_view::npos) end = tag.size();
        value = tag.substr(p + 1, end - p - 1);
        p = end + 1;
      } else {
        std::size_t start = p;
        while (p < tag.size() && !is_ws(tag[p]) && tag[p] != '>') ++p;
        value = tag.substr(start, p - start);
      }
    }
    if (attr.empty()) {
      if (p < tag.size()) ++p;
      continue;
    }
    if (attr.size() == name.size() && find_ci(attr, name) == 0) return value;
  }
  return {};
}

bool has_non_ascii(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// Between the two legacy charsets most common on news sites: Cyrillic text in
// windows-1251 is mostly bytes 0xC0..0xFF (letters), while Western text in
// windows-1252 has a few accented letters among ASCII ones.
std::string guess_single_byte(std::string_view bytes) {
  std::size_t ascii_letters = 0, high = 0, high_letters = 0;
  for (unsigned char c : bytes) {
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ++ascii_letters;
    else if (c >= 0x80) {
      ++high;
      if (c >= 0xC0) ++high_letters;
    }
  }
  if (high_letters > 64 && high_letters * 2 > ascii_letters / 4 && high_letters * 10 > high * 7)
    return "windows-1251";
  return "windows-1252";
}

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};

}  // namespace

std::string normalize_charset_label(std::string_view label) {
  std::string l = to_lower(trim(label));
  if (l.empty()) return l;
  if (l == "utf8" || l == "utf-8" || l == "unicode-1-1-utf-8" || l == "x-unicode20utf8")
    return "UTF-8";
  if (l == "iso-8859-1" || l == "iso8859-1" || l == "latin1" || l == "latin-1" || l == "l1" ||
      l == "us-ascii" || l == "ascii" || l == "cp1252" || l == "windows-1252" || l == "x-cp1252" ||
      l == "iso_8859-1" || l == "cp819" || l == "ibm819" || l == "iso-ir-100" || l == "csisolatin1")
    return "windows-1252";
  if (l == "cp1251" || l == "windows-1251" || l == "x-cp1251" || l == "win-1251") return "windows-1251";
  if (l == "cp1250" || l == "windows-1250" || l == "x-cp1250") return "windows-1250";
  if (l == "koi8r" || l == "koi8-r" || l == "koi") return "KOI8-R";
  if (l == "koi8-u") return "KOI8-U";
  if (l == "iso-8859-9" || l == "latin5" || l == "iso8859-9") return "windows-1254";
  if (l == "tis-620" || l == "iso-8859-11") return "windows-874";
  if (l == "gb2312" || l == "gbk" || l == "x-gbk" || l == "chinese") return "GBK";
  if (l == "x-sjis" || l == "shift_jis" || l == "sjis" || l == "ms_kanji") return "SHIFT_JIS";
  if (l == "utf-16") return "UTF-16LE";
  return l;
}

std::string declared_charset(std::string_view bytes) {
  std::string_view head = bytes.substr(0, kPrescanBytes);
  // XML declaration: <?xml version="1.0" encoding="...">
  if (head.starts_with("<?xml")) {
    auto end = head.find("?>");
    auto decl = head.substr(0, end);
    auto enc = attribute_in_tag(decl, "encoding");
    if (!enc.empty()) return normalize_charset_label(enc);
  }
  std::size_t pos = 0;
  while ((pos = find_ci(head, "<meta", pos)) != std::string_view::npos) {
    auto end = head.find('>', pos);
    if (end == std::string_view::npos) break;
    auto tag = head.substr(pos, end - pos);
    pos = end;
    auto cs = attribute_in_tag(tag, "charset");
    if (!cs.empty()) return normalize_charset_label(cs);
    auto equiv = attribute_in_tag(tag, "http-equiv");
    if (find_ci(equiv, "content-type") != std::string_view::npos) {
      auto param = charset_param(attribute_in_tag(tag, "content"));
      if (!param.empty()) return normalize_charset_label(param);
    }
  }
  return {};
}

std::string detect_charset(std::string_view bytes, std::string_view header_charset) {
  if (bytes.starts_with("\xEF\xBB\xBF")) return "UTF-8";
  if (bytes.starts_with("\xFF\xFE")) return "UTF-16LE";
  if (bytes.starts_with("\xFE\xFF")) return "UTF-16BE";
  std::string declared = normalize_charset_label(header_charset);
  if (declared.empty()) declared = declared_charset(bytes);
  // UTF-16 declared in a document that is readable as ASCII is a lie (WHATWG).
  if (declared.starts_with("utf-16") || declared.starts_with("UTF-16")) declared = "UTF-8";
  if (!declared.empty() && declared != "UTF-8") {
    // Mislabelled pages: a legacy label on bytes that are valid multi-byte UTF-8.
    if (has_non_ascii(bytes) && is_valid_utf8(bytes)) return "UTF-8";
    return declared;
  }
  if (declared == "UTF-8") return declared;
  if (is_valid_utf8(bytes)) return "UTF-8";
  return guess_single_byte(bytes);
}

std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset) {
  std::string cs = normalize_charset_label(charset);
  if (cs.empty() || cs == "UTF-8") {
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    if (is_valid_utf8(bytes)) return std::string(bytes);
    // Replace invalid sequences.
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t pos = 0; pos < bytes.size();) {
      std::size_t start = pos;
      char32_t cp = next_code_point(bytes, pos);
      if (cp == U'\uFFFD' && pos == start + 1) append_utf8(out, cp);
      else out.append(bytes.substr(start, pos - start));
    }
    return out;
  }
  iconv_t raw = iconv_open("UTF-8", cs.c_str());
  if (raw == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::unique_ptr<void, IconvCloser> cd(raw);
  if ((cs == "UTF-16LE" && bytes.starts_with("\xFF\xFE")) ||
      (cs == "UTF-16BE" && bytes.starts_with("\xFE\xFF")))
    bytes.remove_prefix(2);

  std::string out;
  out.resize(bytes.size() * 2 + 16);
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  std::size_t used = 0;
  while (in_left > 0) {
    char* dst = out.data() + used;
    std::size_t out_left = out.size() - used;
    std::size_t r = iconv(raw, &in, &in_left, &dst, &out_left);
    used = out.size() - out_left;
    if (r != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
    } else if (errno == EILSEQ || errno == EINVAL) {
      // Skip one byte of an invalid (or truncated) sequence and mark it.
      if (out.size() - used < 8) out.resize(out.size() * 2);
      std::memcpy(out.data() + used, "\xEF\xBF\xBD", 3);
      used += 3;
      ++in;
      --in_left;
    } else {
      break;
    }
  }
  out.resize(used);
  if (out.starts_with("\xEF\xBB\xBF")) out.erase(0, 3);
  return out;
}

DecodedText decode_to_utf8(std::string_view bytes, std::string_view header_charset) {
  std::string cs = detect_charset(bytes, header_charset);
  if (auto text = convert_to_utf8(bytes, cs)) return {std::move(*text), cs};
  // An unknown charset: fall back to what the bytes look like.
  cs = is_valid_utf8(bytes) ? "UTF-8" : "windows-1252";
  return {convert_to_utf8(bytes, cs).value_or(std::string()), cs};
}

}  // namespace wirewatch
