#include "wirewatch/connectors/charset.hpp"

#include <vector>

namespace wirewatch::connectors {
namespace {

struct Bom {
  std::string_view charset;
  std::size_t length;
};

// A byte order mark, or the pattern of "<?" / "<" in UTF-16/32 (XML 1.0 Appendix F).
std::optional<Bom> sniff_bom(std::string_view b) {
  auto at = [&](std::size_t i) { return static_cast<unsigned char>(b[i]); };
  const std::size_t n = b.size();
  if (n >= 4 && at(0) == 0x00 && at(1) == 0x00 && at(2) == 0xFE && at(3) == 0xFF) return Bom{"utf-32be", 4};
  if (n >= 4 && at(0) == 0xFF && at(1) == 0xFE && at(2) == 0x00 && at(3) == 0x00) return Bom{"utf-32le", 4};
  if (n >= 3 && at(0) == 0xEF && at(1) == 0xBB && at(2) == 0xBF) return Bom{"utf-8", 3};
  if (n >= 2 && at(0) == 0xFE && at(1) == 0xFF) return Bom{"utf-16be", 2};
  if (n >= 2 && at(0) == 0xFF && at(1) == 0xFE) return Bom{"utf-16le", 2};
  if (n >= 4 && at(0) == 0x00 && at(1) == 0x00 && at(2) == 0x00 && at(3) != 0x00) return Bom{"utf-32be", 0};
  if (n >= 4 && at(0) != 0x00 && at(1) == 0x00 && at(2) == 0x00 && at(3) == 0x00) return Bom{"utf-32le", 0};
  if (n >= 4 && at(0) == 0x00 && at(1) != 0x00 && at(2) == 0x00 && at(3) != 0x00) return Bom{"utf-16be", 0};
  if (n >= 4 && at(0) != 0x00 && at(1) == 0x00 && at(2) != 0x00 && at(3) == 0x00) return Bom{"utf-16le", 0};
  return std::nullopt;
}

// ISO-8859-1 maps every byte to the code point of the same number: it never fails.
std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

}  // namespace

std::string normalize_charset(std::string_view name) {
  return charset::normalize_label(name, charset::Labels::xml);
}

std::string_view xml_declared_encoding(std::string_view b) {
  std::size_t i = 0;
  while (i < b.size() && i < 256 && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) ++i;
  if (b.substr(i, 5) != "<?xml") return {};
  const std::size_t end = b.find("?>", i);
  if (end == std::string_view::npos || end > i + 512) return {};
  std::string_view decl = b.substr(i + 5, end - i - 5);
  const std::size_t e = decl.find("encoding");
  if (e == std::string_view::npos) return {};
  std::size_t p = e + 8;
  while (p < decl.size() && (decl[p] == ' ' || decl[p] == '\t')) ++p;
  if (p >= decl.size() || decl[p] != '=') return {};
  ++p;
  while (p < decl.size() && (decl[p] == ' ' || decl[p] == '\t')) ++p;
  if (p >= decl.size() || (decl[p] != '"' && decl[p] != '\'')) return {};
  const char q = decl[p++];
  const std::size_t close = decl.find(q, p);
  if (close == std::string_view::npos) return {};
  return decl.substr(p, close - p);
}

std::string charset_from_content_type(std::string_view ct) { return charset::content_type_charset(ct); }

std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view label) {
  const std::string name = normalize_charset(label);
  if (name.empty()) return std::nullopt;
  return charset::to_utf8(bytes, name, charset::OnInvalid::fail);
}

DecodedText decode_to_utf8(std::string_view bytes, const CharsetHints& hints) {
  DecodedText result;
  if (auto bom = sniff_bom(bytes)) {
    std::string charset(bom->charset);
    const std::string_view body = bytes.substr(bom->length);
    if (charset == "utf-8") {
      if (is_utf8(body)) return {std::string(body), charset, {}};
    } else if (auto text = convert_to_utf8(body, charset)) {
      return {std::move(*text), charset, {}};
    }
    // A mark that lies: fall through to the declared charsets.
    result.error = "document starts with a " + charset + " byte order mark but is not " + charset;
    bytes = body;
  }

  std::vector<std::string> candidates;
  auto add = [&](std::string_view c) {
    std::string n = normalize_charset(c);
    if (n.empty()) return;
    // a declared "utf-16" without a mark or pattern: nothing sensible to read it as
    if (n == "utf-16" || n == "utf-32") return;
    for (const auto& have : candidates) {
      if (have == n) return;
    }
    candidates.push_back(std::move(n));
  };
  add(hints.http_charset);
  if (hints.xml) add(xml_declared_encoding(bytes));
  const std::size_t declared = candidates.size();
  add("utf-8");

  std::size_t multibyte = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string& c = candidates[i];
    std::optional<std::string> text = convert_to_utf8(bytes, c);
    if (!text) continue;
    if (i > 0 && result.error.empty()) {
      result.error = "document declared as " + candidates[0] + ", but parsed as " + c;
    }
    result.text = std::move(*text);
    result.charset = c;
    return result;
  }
  // Nothing fits. Mostly UTF-8 with a few bad bytes: keep it, marking the bad
  // bytes; otherwise a single-byte Western text, as browsers assume.
  std::string repaired = charset::replace_invalid_utf8(bytes, &multibyte);
  const std::string first = candidates.front();
  if (multibyte > 0) {
    result.text = std::move(repaired);
    result.charset = "utf-8";
  } else if (const std::string guess(charset::guess_single_byte(bytes, charset::Guess::feed));
             auto text = convert_to_utf8(bytes, guess)) {
    result.text = std::move(*text);
    result.charset = guess;
  } else {
    result.text = latin1_to_utf8(bytes);
    result.charset = "iso-8859-1";
  }
  if (result.error.empty()) {
    result.error = declared > 0 ? "document declared as " + first + ", but parsed as " + result.charset
                                : "document is not valid utf-8; parsed as " + result.charset +
                                      (result.charset == "utf-8" ? " with invalid bytes replaced" : "");
  }
  return result;
}

}  // namespace wirewatch::connectors
