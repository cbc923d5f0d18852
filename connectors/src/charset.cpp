#include "wirewatch/connectors/charset.hpp"

#include <iconv.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace wirewatch::connectors {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

// An iconv descriptor that closes itself.
class Iconv {
 public:
  explicit Iconv(const std::string& from) : from_(from), cd_(iconv_open("UTF-8", from.c_str())) {}
  Iconv(const Iconv&) = delete;
  Iconv& operator=(const Iconv&) = delete;
  ~Iconv() {
    if (valid()) iconv_close(cd_);
  }
  bool valid() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  const std::string& from() const { return from_; }

  std::optional<std::string> convert(std::string_view in) {
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);  // reset the shift state
    std::string out;
    out.resize(in.size() * 2 + 16);
    char* src = const_cast<char*>(in.data());
    std::size_t src_left = in.size();
    std::size_t done = 0;
    for (;;) {
      char* dst = out.data() + done;
      std::size_t dst_left = out.size() - done;
      const std::size_t rc = iconv(cd_, &src, &src_left, &dst, &dst_left);
      done = out.size() - dst_left;
      if (rc != static_cast<std::size_t>(-1)) {
        // flush any pending shift sequence
        char* fdst = out.data() + done;
        std::size_t fleft = out.size() - done;
        if (fleft < 16) {
          out.resize(out.size() + 16);
          fdst = out.data() + done;
          fleft = out.size() - done;
        }
        iconv(cd_, nullptr, nullptr, &fdst, &fleft);
        done = out.size() - fleft;
        break;
      }
      if (errno == E2BIG) {
        out.resize(out.size() * 2);
        continue;
      }
      return std::nullopt;  // EILSEQ or EINVAL (truncated multibyte sequence)
    }
    out.resize(done);
    return out;
  }

 private:
  std::string from_;
  iconv_t cd_;
};

// A single-byte charset (windows-1251, KOI8-R, ISO-8859-*, ...) as a table of 256
// UTF-8 strings built once with iconv: much faster than iconv on every feed.
struct ByteTable {
  std::string from;
  bool single_byte = false;
  // each byte's UTF-8, up to 3 bytes (a single-byte charset stays in the BMP); length 0:
  // the byte is not valid in the charset
  std::array<std::array<char, 3>, 256> utf8{};
  std::array<std::uint8_t, 256> length{};
};

// Charsets known to be single-byte and ASCII-compatible.
bool single_byte_name(std::string_view n) {
  return n.starts_with("windows-125") || n.starts_with("koi8-") || n.starts_with("iso-8859-") ||
         n == "cp866" || n == "ibm866" || n == "maccyrillic" || n == "macintosh";
}

const ByteTable& byte_table(const std::string& charset, Iconv& cd) {
  thread_local std::vector<std::unique_ptr<ByteTable>> tables;
  for (const auto& t : tables) {
    if (t->from == charset) return *t;
  }
  auto t = std::make_unique<ByteTable>();
  t->from = charset;
  t->single_byte = single_byte_name(charset);
  for (int b = 0; b < 256 && t->single_byte; ++b) {
    const char c = static_cast<char>(b);
    auto out = cd.convert(std::string_view(&c, 1));
    if (!out) continue;  // invalid in this charset, or the lead byte of a longer sequence
    if (out->empty() || out->size() > 3) {
      t->single_byte = false;
    } else {
      std::memcpy(t->utf8[static_cast<std::size_t>(b)].data(), out->data(), out->size());
      t->length[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(out->size());
    }
  }
  // ASCII must map to itself, or the charset is not ASCII-compatible (UTF-16, EBCDIC...)
  for (int b = 1; b < 128 && t->single_byte; ++b) {
    const auto i = static_cast<std::size_t>(b);
    if (t->length[i] != 1 || t->utf8[i][0] != static_cast<char>(b)) t->single_byte = false;
  }
  if (tables.size() >= 8) tables.erase(tables.begin());
  tables.push_back(std::move(t));
  return *tables.back();
}

std::optional<std::string> convert_by_table(std::string_view in, const ByteTable& t) {
  std::string out(in.size() * 3, '\0');
  char* o = out.data();
  for (const char ch : in) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      *o++ = ch;
      continue;
    }
    const std::uint8_t len = t.length[b];
    if (len == 0) return std::nullopt;
    std::memcpy(o, t.utf8[b].data(), 3);
    o += len;
  }
  out.resize(static_cast<std::size_t>(o - out.data()));
  return out;
}

// iconv_open loads a gconv module: keep a few descriptors per thread.
Iconv* cached_iconv(const std::string& charset) {
  thread_local std::vector<std::unique_ptr<Iconv>> cache;
  for (auto& c : cache) {
    if (c->from() == charset) return c->valid() ? c.get() : nullptr;
  }
  if (cache.size() >= 8) cache.erase(cache.begin());
  cache.push_back(std::make_unique<Iconv>(charset));
  return cache.back()->valid() ? cache.back().get() : nullptr;
}

bool is_utf8_name(std::string_view n) { return n == "utf-8"; }

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

// Invalid UTF-8 read as UTF-8 with U+FFFD for each bad byte. `multibyte` counts
// the valid multi-byte sequences seen, to tell mostly-UTF-8 from single-byte text.
std::string repair_utf8(std::string_view s, std::size_t& multibyte) {
  std::string out;
  out.reserve(s.size() + 16);
  multibyte = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
               (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))) {
      ok = false;
    }
    if (ok) {
      out.append(s.substr(i, len));
      ++multibyte;
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
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

// Undeclared single-byte text: Cyrillic (windows-1251 or KOI8-R) when most of its
// letters are bytes 0xC0–0xFF, as whole words are in Russian or Belarusian text;
// else windows-1252. Text is mostly lowercase, which windows-1251 puts at
// 0xE0–0xFF and KOI8-R at 0xC0–0xDF.
std::string guess_single_byte(std::string_view s) {
  std::size_t ascii_letters = 0, low_half = 0, high_half = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ++ascii_letters;
    else if (c >= 0xC0 && c <= 0xDF) ++low_half;
    else if (c >= 0xE0) ++high_half;
  }
  const std::size_t high = low_half + high_half;
  // markup is ASCII: count only against a share of the ASCII letters
  if (high >= 16 && high * 2 >= ascii_letters / 2) return high_half >= low_half ? "windows-1251" : "koi8-r";
  return "windows-1252";
}

std::string trim_copy(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"' || s.front() == '\''))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"' || s.back() == '\''))
    s.remove_suffix(1);
  return std::string(s);
}

bool is_utf8_scalar(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  while (p < end) {
    // ASCII, eight bytes at a time
    while (end - p >= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      if (w & 0x8080808080808080ULL) break;
      p += 8;
    }
    while (p < end && *p < 0x80) ++p;
    // a run of multi-byte sequences (Cyrillic text is one long run of them)
    while (p < end && *p >= 0x80) {
      const unsigned char c = *p;
      const std::ptrdiff_t left = end - p;
      if (c < 0xC2) return false;
      if (c < 0xE0) {
        if (left < 2 || (p[1] & 0xC0) != 0x80) return false;
        p += 2;
      } else if (c < 0xF0) {
        if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return false;
        if (c == 0xE0 && p[1] < 0xA0) return false;  // overlong
        if (c == 0xED && p[1] > 0x9F) return false;  // surrogates
        p += 3;
      } else {
        if (c > 0xF4 || left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
          return false;
        if (c == 0xF0 && p[1] < 0x90) return false;  // overlong
        if (c == 0xF4 && p[1] > 0x8F) return false;  // above U+10FFFF
        p += 4;
      }
    }
  }
  return true;
}

#if defined(__x86_64__)
// UTF-8 validation 16 bytes at a time with SSSE3: the "lookup" algorithm of
// Keiser and Lemire (simdjson, simdutf). Three table lookups per block classify
// every pair of adjacent bytes; the rules for 3- and 4-byte sequences come from
// saturating subtractions.
__attribute__((target("ssse3"))) bool is_utf8_ssse3(std::string_view s) {
  constexpr int kTooShort = 1 << 0, kTooLong = 1 << 1, kOverlong3 = 1 << 2, kTooLarge = 1 << 3,
                kSurrogate = 1 << 4, kOverlong2 = 1 << 5, kTooLarge1000 = 1 << 6, kOverlong4 = 1 << 6,
                kTwoConts = 1 << 7;
  constexpr int kCarry = kTooShort | kTooLong | kTwoConts;
  auto b = [](int v) { return static_cast<char>(v); };
  const __m128i byte1_high = _mm_setr_epi8(
      b(kTooLong), b(kTooLong), b(kTooLong), b(kTooLong), b(kTooLong), b(kTooLong), b(kTooLong), b(kTooLong),
      b(kTwoConts), b(kTwoConts), b(kTwoConts), b(kTwoConts), b(kTooShort | kOverlong2), b(kTooShort),
      b(kTooShort | kOverlong3 | kSurrogate), b(kTooShort | kTooLarge | kTooLarge1000 | kOverlong4));
  constexpr int kLarge = kCarry | kTooLarge | kTooLarge1000;
  const __m128i byte1_low =
      _mm_setr_epi8(b(kCarry | kOverlong3 | kOverlong2 | kOverlong4), b(kCarry | kOverlong2), b(kCarry), b(kCarry),
                    b(kCarry | kTooLarge), b(kLarge), b(kLarge), b(kLarge), b(kLarge), b(kLarge), b(kLarge),
                    b(kLarge), b(kLarge), b(kLarge | kSurrogate), b(kLarge), b(kLarge));
  const __m128i byte2_high = _mm_setr_epi8(
      b(kTooShort), b(kTooShort), b(kTooShort), b(kTooShort), b(kTooShort), b(kTooShort), b(kTooShort),
      b(kTooShort), b(kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge1000 | kOverlong4),
      b(kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge),
      b(kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge),
      b(kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge), b(kTooShort), b(kTooShort), b(kTooShort),
      b(kTooShort));
  const __m128i nibble = _mm_set1_epi8(0x0F);
  // the last three bytes of a block may not start a sequence it does not finish
  const __m128i incomplete_max = _mm_setr_epi8(b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF),
                                               b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF),
                                               b(0xF0 - 1), b(0xE0 - 1), b(0xC0 - 1));
  __m128i error = _mm_setzero_si128(), prev_input = _mm_setzero_si128(), prev_incomplete = _mm_setzero_si128();
  const char* p = s.data();
  std::size_t n = s.size();
  // one block; a lambda would not inherit the function's target
#define WIREWATCH_UTF8_BLOCK(load)                                                                               \
  do {                                                                                                           \
    const __m128i input = (load);                                                                                \
    if (_mm_movemask_epi8(input) == 0) { /* ASCII */                                                             \
      error = _mm_or_si128(error, prev_incomplete);                                                              \
      prev_incomplete = _mm_setzero_si128();                                                                     \
    } else {                                                                                                     \
      const __m128i prev1 = _mm_alignr_epi8(input, prev_input, 15);                                              \
      const __m128i sc = _mm_and_si128(                                                                          \
          _mm_and_si128(_mm_shuffle_epi8(byte1_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), nibble)),           \
                        _mm_shuffle_epi8(byte1_low, _mm_and_si128(prev1, nibble))),                              \
          _mm_shuffle_epi8(byte2_high, _mm_and_si128(_mm_srli_epi16(input, 4), nibble)));                        \
      const __m128i prev2 = _mm_alignr_epi8(input, prev_input, 14);                                              \
      const __m128i prev3 = _mm_alignr_epi8(input, prev_input, 13);                                              \
      const __m128i third = _mm_subs_epu8(prev2, _mm_set1_epi8(b(0xE0 - 0x80)));                                 \
      const __m128i fourth = _mm_subs_epu8(prev3, _mm_set1_epi8(b(0xF0 - 0x80)));                                \
      const __m128i must23_80 = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8(b(0x80)));              \
      error = _mm_or_si128(error, _mm_xor_si128(must23_80, sc));                                                 \
      prev_incomplete = _mm_subs_epu8(input, incomplete_max);                                                    \
    }                                                                                                            \
    prev_input = input;                                                                                          \
  } while (false)
  for (; n >= 16; p += 16, n -= 16) WIREWATCH_UTF8_BLOCK(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  if (n > 0) {
    alignas(16) char tail[16] = {};
    std::memcpy(tail, p, n);
    WIREWATCH_UTF8_BLOCK(_mm_load_si128(reinterpret_cast<const __m128i*>(tail)));
  }
#undef WIREWATCH_UTF8_BLOCK
  error = _mm_or_si128(error, prev_incomplete);
  return _mm_movemask_epi8(_mm_cmpeq_epi8(error, _mm_setzero_si128())) == 0xFFFF;
}
#endif

}  // namespace

bool is_utf8(std::string_view s) {
#if defined(__x86_64__)
  static const bool ssse3 = __builtin_cpu_supports("ssse3");
  if (ssse3) return is_utf8_ssse3(s);
#endif
  return is_utf8_scalar(s);
}

std::string normalize_charset(std::string_view name) {
  std::string n = trim_copy(name);
  for (auto& c : n) c = lower(c);
  if (n.empty()) return n;
  if (n == "utf8" || n == "unicode-1-1-utf-8" || n == "x-unicode20utf8") return "utf-8";
  if (n == "us-ascii" || n == "ascii" || n == "ansi_x3.4-1968" || n == "iso646-us") return "utf-8";
  // As browsers do (WHATWG Encoding): Latin-1 labels mean windows-1252.
  if (n == "iso-8859-1" || n == "iso8859-1" || n == "latin1" || n == "latin-1" || n == "l1" ||
      n == "iso_8859-1" || n == "cp819" || n == "ibm819" || n == "cp1252" || n == "x-cp1252")
    return "windows-1252";
  if (n == "cp1251" || n == "x-cp1251" || n == "win-1251" || n == "win1251" || n == "windows1251")
    return "windows-1251";
  if (n == "koi8r" || n == "koi8") return "koi8-r";
  if (n == "koi8u") return "koi8-u";
  if (n == "utf16") return "utf-16";
  if (n == "unicode" || n == "ucs-2") return "utf-16";
  if (n == "x-mac-cyrillic" || n == "mac-cyrillic") return "maccyrillic";
  if (n == "x-sjis" || n == "shift-jis" || n == "sjis") return "shift_jis";
  if (n == "gb2312" || n == "x-gbk") return "gbk";
  if (n.starts_with("cp125") && n.size() == 6) return "windows-" + n.substr(2);
  return n;
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

std::string charset_from_content_type(std::string_view ct) {
  std::size_t p = 0;
  while ((p = ct.find(';', p)) != std::string_view::npos) {
    ++p;
    while (p < ct.size() && (ct[p] == ' ' || ct[p] == '\t')) ++p;
    if (istarts_with(ct.substr(p), "charset")) {
      std::size_t q = p + 7;
      while (q < ct.size() && ct[q] == ' ') ++q;
      if (q < ct.size() && ct[q] == '=') {
        ++q;
        const std::size_t end = ct.find(';', q);
        return trim_copy(ct.substr(q, end == std::string_view::npos ? ct.size() - q : end - q));
      }
    }
  }
  return {};
}

std::optional<std::string> convert_to_utf8(std::string_view bytes, std::string_view charset) {
  std::string name = normalize_charset(charset);
  if (name.empty()) return std::nullopt;
  if (is_utf8_name(name)) {
    if (!is_utf8(bytes)) return std::nullopt;
    return std::string(bytes);
  }
  Iconv* cd = cached_iconv(name);
  if (cd == nullptr) return std::nullopt;
  if (const ByteTable& table = byte_table(name, *cd); table.single_byte) return convert_by_table(bytes, table);
  auto out = cd->convert(bytes);
  if (out && out->starts_with("\xEF\xBB\xBF")) out->erase(0, 3);
  return out;
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
  std::string repaired = repair_utf8(bytes, multibyte);
  const std::string first = candidates.front();
  if (multibyte > 0) {
    result.text = std::move(repaired);
    result.charset = "utf-8";
  } else if (const std::string guess = guess_single_byte(bytes);
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
