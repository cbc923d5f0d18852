#include "wirewatch/normalizer/charset.hpp"

#include <algorithm>

#include "wirewatch/common/charset.hpp"

namespace wirewatch {
namespace {

constexpr std::size_t kPrescanBytes = 16 * 1024;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

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

// The value after `charset=` in a <meta> content attribute: the WHATWG algorithm
// for meta elements, looser than the HTTP parameter syntax of charset::content_type_charset.
std::string_view charset_param(std::string_view s) {
  auto at = find_ci(s, "charset");
  if (at == std::string_view::npos) return {};
  s.remove_prefix(at + 7);
  while (!s.empty() && is_ws(s.front())) s.remove_prefix(1);
  if (s.empty() || s.front() != '=') return {};
  s.remove_prefix(1);
  while (!s.empty() && (is_ws(s.front()) || s.front() == '"' || s.front() == '\'')) s.remove_prefix(1);
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

}  // namespace

std::string normalize_charset_label(std::string_view label) {
  charset::Label l = charset::lookup_label(label, charset::Labels::html);
  // This module reports aliased non-Windows names upper-case ("UTF-8", "KOI8-R"); iconv takes either.
  if (l.alias && !l.name.starts_with("windows-")) {
    for (auto& c : l.name) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
  }
  return std::move(l.name);
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
    if (has_non_ascii(bytes) && charset::is_utf8(bytes)) return "UTF-8";
    return declared;
  }
  if (declared == "UTF-8") return declared;
  if (charset::is_utf8(bytes)) return "UTF-8";
  return std::string(charset::guess_single_byte(bytes, charset::Guess::page));
}

std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view label) {
  const std::string cs = normalize_charset_label(label);
  if (cs.empty() || cs == "UTF-8") {
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
    return charset::to_utf8(bytes, "utf-8", charset::OnInvalid::replace);
  }
  if ((cs == "UTF-16LE" && bytes.starts_with("\xFF\xFE")) ||
      (cs == "UTF-16BE" && bytes.starts_with("\xFE\xFF")))
    bytes.remove_prefix(2);
  return charset::to_utf8(bytes, cs, charset::OnInvalid::replace);
}

DecodedText decode_to_utf8(std::string_view bytes, std::string_view header_charset) {
  std::string cs = detect_charset(bytes, header_charset);
  if (auto text = convert_to_utf8(bytes, cs)) return {std::move(*text), cs};
  // An unknown charset: fall back to what the bytes look like.
  cs = charset::is_utf8(bytes) ? "UTF-8" : "windows-1252";
  return {convert_to_utf8(bytes, cs).value_or(std::string()), cs};
}

}  // namespace wirewatch
