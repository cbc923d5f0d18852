#include "wirewatch/common/charset.hpp"

#include <iconv.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace wirewatch::charset {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

bool iequals(std::string_view a, std::string_view lowercase) {
  return a.size() == lowercase.size() && istarts_with(a, lowercase);
}

bool is_quote(char c) { return c == '"' || c == '\''; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_html_space(char c) { return is_blank(c) || c == '\n' || c == '\r' || c == '\f'; }

// Header values carry only blanks and quotes; HTML attributes may also hold
// line breaks and end with the ';' of a Content-Type.
std::string_view trim_label(std::string_view s, Labels labels) {
  const bool html = labels == Labels::html;
  auto lead = [&](char c) { return is_quote(c) || (html ? is_html_space(c) : is_blank(c)); };
  auto trail = [&](char c) { return lead(c) || (html && c == ';'); };
  while (!s.empty() && lead(s.front())) s.remove_prefix(1);
  while (!s.empty() && trail(s.back())) s.remove_suffix(1);
  return s;
}

// The one alias table. Most labels mean the same to both readers; the entries
// marked for one of them differ on purpose (see Labels) or are spellings only one
// reader has met, kept apart so neither reader's results change.
constexpr unsigned kXml = 1, kHtml = 2, kBoth = kXml | kHtml;
struct Alias {
  std::string_view label;
  std::string_view name;
  unsigned readers;
};
constexpr Alias kAliases[] = {
    {"utf-8", "utf-8", kBoth},
    {"utf8", "utf-8", kBoth},
    {"unicode-1-1-utf-8", "utf-8", kBoth},
    {"x-unicode20utf8", "utf-8", kBoth},
    // An XML document in ASCII is UTF-8 by default; WHATWG reads the label as windows-1252.
    {"us-ascii", "utf-8", kXml},
    {"ascii", "utf-8", kXml},
    {"ansi_x3.4-1968", "utf-8", kXml},
    {"iso646-us", "utf-8", kXml},
    {"us-ascii", "windows-1252", kHtml},
    {"ascii", "windows-1252", kHtml},
    // As browsers do (WHATWG Encoding): Latin-1 labels mean windows-1252.
    {"windows-1252", "windows-1252", kBoth},
    {"iso-8859-1", "windows-1252", kBoth},
    {"iso8859-1", "windows-1252", kBoth},
    {"latin1", "windows-1252", kBoth},
    {"latin-1", "windows-1252", kBoth},
    {"l1", "windows-1252", kBoth},
    {"iso_8859-1", "windows-1252", kBoth},
    {"cp819", "windows-1252", kBoth},
    {"ibm819", "windows-1252", kBoth},
    {"cp1252", "windows-1252", kBoth},
    {"x-cp1252", "windows-1252", kBoth},
    {"iso-ir-100", "windows-1252", kHtml},
    {"csisolatin1", "windows-1252", kHtml},
    {"windows-1251", "windows-1251", kBoth},
    {"cp1251", "windows-1251", kBoth},
    {"x-cp1251", "windows-1251", kBoth},
    {"win-1251", "windows-1251", kBoth},
    {"win1251", "windows-1251", kXml},
    {"windows1251", "windows-1251", kXml},
    {"windows-1250", "windows-1250", kBoth},
    {"cp1250", "windows-1250", kBoth},
    {"x-cp1250", "windows-1250", kHtml},
    {"koi8-r", "koi8-r", kBoth},
    {"koi8r", "koi8-r", kBoth},
    {"koi8", "koi8-r", kXml},
    {"koi", "koi8-r", kHtml},
    {"koi8-u", "koi8-u", kBoth},
    {"koi8u", "koi8-u", kXml},
    // WHATWG reads these ISO labels as their Windows supersets.
    {"iso-8859-9", "windows-1254", kHtml},
    {"iso8859-9", "windows-1254", kHtml},
    {"latin5", "windows-1254", kHtml},
    {"tis-620", "windows-874", kHtml},
    {"iso-8859-11", "windows-874", kHtml},
    {"gbk", "gbk", kBoth},
    {"gb2312", "gbk", kBoth},
    {"x-gbk", "gbk", kBoth},
    {"chinese", "gbk", kHtml},
    {"shift_jis", "shift_jis", kBoth},
    {"x-sjis", "shift_jis", kBoth},
    {"sjis", "shift_jis", kBoth},
    {"shift-jis", "shift_jis", kXml},
    {"ms_kanji", "shift_jis", kHtml},
    // A feed reads "utf-16" by its BOM; WHATWG takes an unmarked "utf-16" as UTF-16LE.
    {"utf-16", "utf-16le", kHtml},
    {"utf16", "utf-16", kXml},
    {"unicode", "utf-16", kXml},
    {"ucs-2", "utf-16", kXml},
    {"x-mac-cyrillic", "maccyrillic", kXml},
    {"mac-cyrillic", "maccyrillic", kXml},
};

// An iconv descriptor to UTF-8 that closes itself.
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

  std::optional<std::string> convert(std::string_view in, OnInvalid on_invalid) {
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
      if (on_invalid == OnInvalid::fail) return std::nullopt;  // EILSEQ, or EINVAL (truncated sequence)
      if (errno != EILSEQ && errno != EINVAL) break;           // keep what was converted
      // Skip one byte of the invalid (or truncated) sequence and mark it.
      if (out.size() - done < 8) out.resize(out.size() * 2);
      std::memcpy(out.data() + done, "\xEF\xBF\xBD", 3);
      done += 3;
      ++src;
      --src_left;
    }
    out.resize(done);
    return out;
  }

 private:
  std::string from_;
  iconv_t cd_;
};

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

// glibc's UTF-16, UTF-32 and UNICODE read a byte order mark and keep its byte
// order through an iconv reset: a later unmarked document would be read in it.
// These get a descriptor of their own per conversion.
bool bom_sets_byte_order(std::string_view name) {
  std::string n;
  for (const char c : name) {
    if (c != '-' && c != '_') n += lower(c);
  }
  return n == "utf16" || n == "utf32" || n == "unicode" || n == "csunicode";
}

// A single-byte charset (windows-1251, KOI8-R, ISO-8859-*, ...) as a table of 256
// UTF-8 strings built once with iconv: much faster than iconv on every document.
struct ByteTable {
  std::string from;
  bool single_byte = false;
  // each byte's UTF-8, up to 3 bytes (a single-byte charset stays in the BMP); length 0:
  // the byte is not valid in the charset
  std::array<std::array<char, 3>, 256> utf8{};
  std::array<std::uint8_t, 256> length{};
};

// Charsets known to be single-byte and ASCII-compatible.
bool single_byte_name(std::string_view name) {
  std::string n(name);
  for (auto& c : n) c = lower(c);
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
    auto out = cd.convert(std::string_view(&c, 1), OnInvalid::fail);
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

std::optional<std::string> convert_by_table(std::string_view in, const ByteTable& t, OnInvalid on_invalid) {
  std::string out(in.size() * 3, '\0');
  char* o = out.data();
  for (const char ch : in) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x80) {
      *o++ = ch;
      continue;
    }
    const std::uint8_t len = t.length[b];
    if (len == 0) {
      if (on_invalid == OnInvalid::fail) return std::nullopt;
      std::memcpy(o, "\xEF\xBF\xBD", 3);  // U+FFFD is 3 bytes: fits the space of the byte
      o += 3;
      continue;
    }
    std::memcpy(o, t.utf8[b].data(), 3);
    o += len;
  }
  out.resize(static_cast<std::size_t>(o - out.data()));
  return out;
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
      _mm_setr_epi8(b(kCarry | kOverlong3 | kOverlong2 | kOverlong4), b(kCarry | kOverlong2), b(kCarry),
                    b(kCarry), b(kCarry | kTooLarge), b(kLarge), b(kLarge), b(kLarge), b(kLarge), b(kLarge),
                    b(kLarge), b(kLarge), b(kLarge), b(kLarge | kSurrogate), b(kLarge), b(kLarge));
  const __m128i byte2_high = _mm_setr_epi8(
      b(kTooShort), b(kTooShort), b(kTooShort), b(kTooShort), b(kTooShort), b(kTooShort), b(kTooShort),
      b(kTooShort), b(kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge1000 | kOverlong4),
      b(kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge),
      b(kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge),
      b(kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge), b(kTooShort), b(kTooShort), b(kTooShort),
      b(kTooShort));
  const __m128i nibble = _mm_set1_epi8(0x0F);
  // the last three bytes of a block may not start a sequence it does not finish
  const __m128i incomplete_max =
      _mm_setr_epi8(b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF), b(0xFF),
                    b(0xFF), b(0xFF), b(0xFF), b(0xF0 - 1), b(0xE0 - 1), b(0xC0 - 1));
  __m128i error = _mm_setzero_si128(), prev_input = _mm_setzero_si128(),
          prev_incomplete = _mm_setzero_si128();
  const char* p = s.data();
  std::size_t n = s.size();
  // one block; a lambda would not inherit the function's target
#define WIREWATCH_UTF8_BLOCK(load)                                                                     \
  do {                                                                                                 \
    const __m128i input = (load);                                                                      \
    if (_mm_movemask_epi8(input) == 0) { /* ASCII */                                                   \
      error = _mm_or_si128(error, prev_incomplete);                                                    \
      prev_incomplete = _mm_setzero_si128();                                                           \
    } else {                                                                                           \
      const __m128i prev1 = _mm_alignr_epi8(input, prev_input, 15);                                    \
      const __m128i sc = _mm_and_si128(                                                                \
          _mm_and_si128(_mm_shuffle_epi8(byte1_high, _mm_and_si128(_mm_srli_epi16(prev1, 4), nibble)), \
                        _mm_shuffle_epi8(byte1_low, _mm_and_si128(prev1, nibble))),                    \
          _mm_shuffle_epi8(byte2_high, _mm_and_si128(_mm_srli_epi16(input, 4), nibble)));              \
      const __m128i prev2 = _mm_alignr_epi8(input, prev_input, 14);                                    \
      const __m128i prev3 = _mm_alignr_epi8(input, prev_input, 13);                                    \
      const __m128i third = _mm_subs_epu8(prev2, _mm_set1_epi8(b(0xE0 - 0x80)));                       \
      const __m128i fourth = _mm_subs_epu8(prev3, _mm_set1_epi8(b(0xF0 - 0x80)));                      \
      const __m128i must23_80 = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8(b(0x80)));    \
      error = _mm_or_si128(error, _mm_xor_si128(must23_80, sc));                                       \
      prev_incomplete = _mm_subs_epu8(input, incomplete_max);                                          \
    }                                                                                                  \
    prev_input = input;                                                                                \
  } while (false)
  for (; n >= 16; p += 16, n -= 16)
    WIREWATCH_UTF8_BLOCK(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
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

Label lookup_label(std::string_view label, Labels labels) {
  Label l;
  l.name = std::string(trim_label(label, labels));
  for (auto& c : l.name) c = lower(c);
  if (l.name.empty()) return l;
  const unsigned reader = labels == Labels::xml ? kXml : kHtml;
  for (const Alias& a : kAliases) {
    if ((a.readers & reader) != 0 && a.label == l.name) {
      l.name = std::string(a.name);
      l.alias = true;
      return l;
    }
  }
  // Feeds also take any "cp125N" for windows-125N; WHATWG knows only the listed ones.
  if (labels == Labels::xml && l.name.starts_with("cp125") && l.name.size() == 6) {
    l.name = "windows-" + l.name.substr(2);
    l.alias = true;
  }
  return l;
}

std::string content_type_charset(std::string_view ct) {
  std::size_t p = 0;
  while ((p = ct.find(';', p)) != std::string_view::npos) {
    ++p;
    while (p < ct.size() && is_blank(ct[p])) ++p;
    if (istarts_with(ct.substr(p), "charset")) {
      std::size_t q = p + 7;
      while (q < ct.size() && ct[q] == ' ') ++q;
      if (q < ct.size() && ct[q] == '=') {
        ++q;
        const std::size_t end = ct.find(';', q);
        return std::string(
            trim_label(ct.substr(q, end == std::string_view::npos ? ct.size() - q : end - q), Labels::xml));
      }
    }
  }
  return {};
}

bool is_utf8(std::string_view s) {
#if defined(__x86_64__)
  static const bool ssse3 = __builtin_cpu_supports("ssse3");
  if (ssse3) return is_utf8_ssse3(s);
#endif
  return is_utf8_scalar(s);
}

std::string replace_invalid_utf8(std::string_view s, std::size_t* multibyte) {
  std::string out;
  out.reserve(s.size() + 16);
  std::size_t kept = 0;
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
    if (c >= 0xC2 && c <= 0xDF)
      len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
      len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
      len = 4, cp = c & 0x07;
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
      ++kept;
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  if (multibyte != nullptr) *multibyte = kept;
  return out;
}

std::string_view guess_single_byte(std::string_view s, Guess guess) {
  // Cyrillic letters are bytes 0xC0-0xFF in both windows-1251 and KOI8-R. Text is
  // mostly lowercase, which windows-1251 puts at 0xE0-0xFF and KOI8-R at 0xC0-0xDF.
  std::size_t ascii_letters = 0, high = 0, low_half = 0, high_half = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) ++ascii_letters;
    if (c >= 0x80) ++high;
    if (c >= 0xC0 && c <= 0xDF)
      ++low_half;
    else if (c >= 0xE0)
      ++high_half;
  }
  const std::size_t letters = low_half + high_half;
  // markup is ASCII: the high letters are weighed against a share of the ASCII ones
  if (guess == Guess::feed) {
    if (letters >= 16 && letters * 2 >= ascii_letters / 2)
      return high_half >= low_half ? "windows-1251" : "koi8-r";
    return "windows-1252";
  }
  // Western text has a few accented letters and punctuation among the ASCII ones
  if (letters > 64 && letters * 2 > ascii_letters / 4 && letters * 10 > high * 7) return "windows-1251";
  return "windows-1252";
}

std::optional<std::string> to_utf8(std::string_view bytes, const std::string& charset, OnInvalid on_invalid) {
  if (iequals(charset, "utf-8")) {
    if (is_utf8(bytes)) return std::string(bytes);
    if (on_invalid == OnInvalid::fail) return std::nullopt;
    return replace_invalid_utf8(bytes);
  }
  std::unique_ptr<Iconv> own;
  Iconv* cd = nullptr;
  if (bom_sets_byte_order(charset)) {
    own = std::make_unique<Iconv>(charset);
    if (own->valid()) cd = own.get();
  } else {
    cd = cached_iconv(charset);
  }
  if (cd == nullptr) return std::nullopt;
  if (const ByteTable& table = byte_table(charset, *cd); table.single_byte) {
    return convert_by_table(bytes, table, on_invalid);
  }
  auto out = cd->convert(bytes, on_invalid);
  if (out && out->starts_with("\xEF\xBB\xBF")) out->erase(0, 3);
  return out;
}

}  // namespace wirewatch::charset
