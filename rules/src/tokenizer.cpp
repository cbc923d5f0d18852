#include "wirewatch/rules/tokenizer.hpp"

#include <utf8proc.h>

#include <array>
#include <bit>
#include <cstring>

#include "wirewatch/common/text.hpp"
#include "wirewatch/rules/document.hpp"

namespace wirewatch::rules {
namespace {

bool is_sentence_end(char32_t c) { return c == '.' || c == '!' || c == '?' || c == U'\u2026'; }

bool is_mark(utf8proc_int32_t cp) {
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return true;
    default:
      return false;
  }
}

constexpr utf8proc_int32_t kCyrillicIe = 0x0435;  // е
constexpr utf8proc_int32_t kCombiningDiaeresis = 0x0308;

}  // namespace

std::string_view field_name(Field f) {
  switch (f) {
    case Field::title:
      return "title";
    case Field::body:
      return "body";
    case Field::url:
      return "url";
    case Field::author:
      return "author";
  }
  return "body";
}

std::string_view Document::host() const { return host_of_url(url()); }

std::string_view host_of_url(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  auto rest = url.substr(scheme + 3);
  auto end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal
    auto close = authority.find(']');
    return close == std::string_view::npos ? std::string_view() : authority.substr(1, close - 1);
  }
  if (auto colon = authority.find(':'); colon != std::string_view::npos)
    authority = authority.substr(0, colon);
  while (!authority.empty() && authority.back() == '.') authority.remove_suffix(1);
  return authority;
}

namespace {

// Classes of ASCII bytes for the scanner (word characters, spaces, sentence ends).
enum : std::uint8_t { kOther = 0, kWord = 1, kSpace = 2, kEnd = 3, kHigh = 4 };

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    std::uint8_t k = kOther;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      k = kWord;
    else if (c == ' ' || (c >= 0x09 && c <= 0x0D))
      k = kSpace;
    else if (c == '.' || c == '!' || c == '?')
      k = kEnd;
    else if (c >= 0x80)
      k = kHigh;
    t[static_cast<std::size_t>(c)] = k;
  }
  return t;
}
constexpr auto kClasses = make_classes();

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// 0x80 in each byte of `x` that is an ASCII letter or digit, 0 in the others.
// Each byte is tested on its low 7 bits, so that no sum carries into the next
// byte, and bytes from 0x80 on are then left out.
std::uint64_t ascii_alnum8(std::uint64_t x) {
  constexpr std::uint64_t k = 0x0101010101010101ULL;
  const std::uint64_t t = x & ~kHighBits;
  auto in = [&](unsigned lo, unsigned hi) {  // lo <= byte <= hi
    return (t + (0x80 - lo) * k) & ~(t + (0x7F - hi) * k);
  };
  return (in('a', 'z') | in('A', 'Z') | in('0', '9')) & ~x & kHighBits;
}

}  // namespace

bool WordScanner::next(WordSpan& out) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text_.data());
  const std::size_t size = text_.size();
  while (pos_ < size) {
    const std::size_t start = pos_;
    const unsigned char b = bytes[pos_];
    std::uint8_t k = kClasses[b];
    char32_t c = b;
    if (k == kHigh) {
      c = next_code_point(text_, pos_);
      k = is_word_char(c) ? kWord : is_space(c) ? kSpace : is_sentence_end(c) ? kEnd : kOther;
    } else {
      ++pos_;
    }
    if (k == kWord) {
      if (any_) {
        if (new_paragraph_) {
          ++paragraph_;
          ++sentence_;
        } else if (new_sentence_) {
          ++sentence_;
        }
      }
      any_ = true;
      new_paragraph_ = new_sentence_ = after_end_mark_ = false;
      newlines_ = 0;
      out.byte_offset = static_cast<std::uint32_t>(start);
      out.offset = cp_;
      out.ascii = b < 0x80;
      std::uint32_t length = 1;
      // ASCII letters and digits 8 at a time: the end of most words is found
      // without a branch per byte (and the misprediction at the last one).
      while (std::endian::native == std::endian::little && pos_ + 8 <= size) {
        std::uint64_t x;
        std::memcpy(&x, bytes + pos_, 8);
        const std::uint64_t word = ascii_alnum8(x);
        if (word == kHighBits) {
          pos_ += 8;
          length += 8;
          continue;
        }
        // The bytes before the first that is not one (little-endian: the lowest).
        const auto n = static_cast<std::uint32_t>(std::countr_zero(~word & kHighBits) / 8);
        pos_ += n;
        length += n;
        break;
      }
      while (pos_ < size) {
        const unsigned char nb = bytes[pos_];
        const std::uint8_t nk = kClasses[nb];
        if (nk == kWord) {
          ++pos_;
        } else if (nk == kHigh) {
          std::size_t p = pos_;
          if (!is_word_char(next_code_point(text_, p))) break;
          pos_ = p;
          out.ascii = false;
        } else {
          break;
        }
        ++length;
      }
      cp_ += length;
      out.raw = text_.substr(start, pos_ - start);
      out.length = length;
      out.paragraph = paragraph_;
      out.sentence = sentence_;
      return true;
    }
    ++cp_;
    if (k == kSpace) {
      if (after_end_mark_) new_sentence_ = true;
      after_end_mark_ = false;
      if (c == '\n' && ++newlines_ >= 2) new_paragraph_ = true;
    } else {
      newlines_ = 0;
      after_end_mark_ = k == kEnd;
    }
  }
  return false;
}

void fold_word(std::string_view word, std::string& out) {
  out.clear();
  bool ascii = true;
  for (unsigned char c : word) ascii = ascii && c < 0x80;
  if (ascii) {
    out.assign(word);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return;
  }
  // Case folding and canonical decomposition (marks in canonical order), then
  // diacritics folding on the decomposed code points, then canonical composition.
  thread_local std::vector<utf8proc_int32_t> buf(64);
  const auto options =
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD);
  const auto* src = reinterpret_cast<const utf8proc_uint8_t*>(word.data());
  const auto len = static_cast<utf8proc_ssize_t>(word.size());
  auto n = utf8proc_decompose(src, len, buf.data(), static_cast<utf8proc_ssize_t>(buf.size()), options);
  if (n > static_cast<utf8proc_ssize_t>(buf.size())) {
    buf.resize(static_cast<std::size_t>(n));
    n = utf8proc_decompose(src, len, buf.data(), n, options);
  }
  if (n < 0) {  // invalid UTF-8: keep it as it is
    out.assign(word);
    return;
  }
  std::size_t kept = 0;
  utf8proc_int32_t base = 0;
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    const utf8proc_int32_t cp = buf[static_cast<std::size_t>(i)];
    if (is_mark(cp)) {
      if (base >= 'a' && base <= 'z') continue;                        // Latin: base letter
      if (base == kCyrillicIe && cp == kCombiningDiaeresis) continue;  // ё -> е
    } else {
      base = cp;
    }
    buf[kept++] = cp;
  }
  auto m = utf8proc_normalize_utf32(buf.data(), static_cast<utf8proc_ssize_t>(kept),
                                    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (m < 0) m = static_cast<utf8proc_ssize_t>(kept);
  for (utf8proc_ssize_t i = 0; i < m; ++i)
    append_utf8(out, static_cast<char32_t>(buf[static_cast<std::size_t>(i)]));
}

std::string fold_word(std::string_view word) {
  std::string out;
  fold_word(word, out);
  return out;
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  WordScanner scanner(text);
  WordSpan w;
  while (scanner.next(w)) {
    out.push_back({fold_word(w.raw), w.offset, w.length, static_cast<std::uint32_t>(out.size()), w.paragraph,
                   w.sentence});
  }
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  for (auto& t : tokenize(text)) words.push_back(std::move(t.folded));
  return words;
}

}  // namespace wirewatch::rules
