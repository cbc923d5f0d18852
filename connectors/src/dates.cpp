#include "wirewatch/connectors/dates.hpp"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdint>

namespace wirewatch::connectors {
namespace {

using namespace std::chrono;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// Parses exactly `n` digits at s[pos]; advances pos.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  out = v;
  pos += n;
  return true;
}

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int offset_minutes = 0;  // local time = UTC + offset
};

std::optional<TimePoint> to_utc(const Fields& f) {
  if (f.year < 1 || f.year > 9999 || f.month < 1 || f.month > 12 || f.day < 1) return std::nullopt;
  if (f.hour > 24 || f.minute > 59 || f.second > 60) return std::nullopt;
  if (f.hour == 24 && (f.minute != 0 || f.second != 0)) return std::nullopt;
  const year_month_day ymd{year{f.year}, month{static_cast<unsigned>(f.month)},
                           day{static_cast<unsigned>(f.day)}};
  if (!ymd.ok()) return std::nullopt;
  const int second_of_day = f.hour * 3600 + f.minute * 60 + (f.second == 60 ? 59 : f.second);
  return TimePoint{sys_days{ymd}.time_since_epoch()} + seconds{second_of_day} - minutes{f.offset_minutes};
}

// ±hh[:mm] or ±hhmm at s[pos] (the sign included); offset in minutes.
bool numeric_zone(std::string_view s, std::size_t& pos, int& offset) {
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return false;
  const int sign = s[pos] == '-' ? -1 : 1;
  std::size_t p = pos + 1;
  int hh = 0, mm = 0;
  if (!digits(s, p, 2, hh)) {
    // a single-digit hour: +3
    if (p < s.size() && is_digit(s[p]) && (p + 1 == s.size() || !is_digit(s[p + 1]))) {
      hh = s[p] - '0';
      ++p;
    } else {
      return false;
    }
  } else if (p < s.size() && s[p] == ':') {
    ++p;
    if (!digits(s, p, 2, mm)) return false;
  } else if (p + 1 < s.size() && is_digit(s[p]) && is_digit(s[p + 1])) {
    digits(s, p, 2, mm);
  }
  if (hh > 23 || mm > 59) return false;
  offset = sign * (hh * 60 + mm);
  pos = p;
  return true;
}

// ---- RFC 822 ----------------------------------------------------------------

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> kMonthsLong = {"january",   "february", "march",    "april",
                                                          "may",       "june",     "july",     "august",
                                                          "september", "october",  "november", "december"};
constexpr std::array<std::string_view, 7> kDays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
constexpr std::array<std::string_view, 7> kDaysLong = {"monday", "tuesday",  "wednesday", "thursday",
                                                       "friday", "saturday", "sunday"};

int month_number(std::string_view w) {
  for (std::size_t i = 0; i < 12; ++i) {
    if (iequals(w, kMonths[i]) || iequals(w, kMonthsLong[i])) return static_cast<int>(i) + 1;
  }
  if (iequals(w, "sept")) return 9;
  return 0;
}

bool is_weekday(std::string_view w) {
  for (std::size_t i = 0; i < 7; ++i) {
    if (iequals(w, kDays[i]) || iequals(w, kDaysLong[i])) return true;
  }
  return iequals(w, "tues") || iequals(w, "thur") || iequals(w, "thurs");
}

struct ZoneName {
  std::string_view name;
  int offset_minutes;
};

// RFC 822's names, then the ones feeds use in practice. Ambiguous names (IST,
// CST as China time) take their most common reading in news feeds.
constexpr ZoneName kZones[] = {
    {"ut", 0},        {"utc", 0},       {"gmt", 0},        {"z", 0},          {"est", -5 * 60},
    {"edt", -4 * 60}, {"cst", -6 * 60}, {"cdt", -5 * 60},  {"mst", -7 * 60},  {"mdt", -6 * 60},
    {"pst", -8 * 60}, {"pdt", -7 * 60}, {"akst", -9 * 60}, {"akdt", -8 * 60}, {"hst", -10 * 60},
    {"ast", -4 * 60}, {"adt", -3 * 60}, {"nst", -210},     {"ndt", -150},     {"wet", 0},
    {"west", 60},     {"bst", 60},      {"cet", 60},       {"cest", 120},     {"met", 60},
    {"mest", 120},    {"eet", 120},     {"eest", 180},     {"msk", 180},      {"msd", 240},
    {"ist", 330},     {"pkt", 300},     {"hkt", 480},      {"sgt", 480},      {"awst", 480},
    {"jst", 540},     {"kst", 540},     {"acst", 570},     {"aest", 600},     {"aedt", 660},
    {"nzst", 720},    {"nzdt", 780},    {"etc", 0}};

bool zone_name(std::string_view w, int& offset) {
  for (const auto& z : kZones) {
    if (iequals(w, z.name)) {
      offset = z.offset_minutes;
      return true;
    }
  }
  // RFC 822 military zones: A–I = -1..-9, K–M = -10..-12, N–Y = +1..+12 (Z above).
  // RFC 1123 notes the signs were defined backwards; everyone treats them as 0, but
  // a single letter is still a zone, not garbage.
  if (w.size() == 1 && is_alpha(w[0]) && lower(w[0]) != 'j') {
    offset = 0;
    return true;
  }
  return false;
}

}  // namespace

std::optional<TimePoint> parse_rfc822_date(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty() || s.size() > 128) return std::nullopt;
  Fields f;
  int day = 0, year = -1, year_digits = 0;
  bool have_time = false, have_zone = false, pm = false, am = false;
  int numeric_offset = 0, named_offset = 0;
  bool have_numeric = false, have_named = false;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n' || c == '.' || (c == '-' && !have_time) ||
        c == '/') {
      ++pos;
      continue;
    }
    if (c == '(') {  // a comment, e.g. "(PST)"
      const auto close = s.find(')', pos);
      if (close == std::string_view::npos) return std::nullopt;
      pos = close + 1;
      continue;
    }
    if ((c == '+' || c == '-') && have_time) {
      int off = 0;
      if (!numeric_zone(s, pos, off) || have_numeric) return std::nullopt;
      numeric_offset = off;
      have_numeric = have_zone = true;
      continue;
    }
    if (is_alpha(c)) {
      std::size_t end = pos;
      while (end < s.size() && is_alpha(s[end])) ++end;
      const std::string_view word = s.substr(pos, end - pos);
      pos = end;
      int off = 0;
      if (int m = month_number(word); m != 0) {
        if (f.month != 0) return std::nullopt;
        f.month = m;
      } else if (is_weekday(word)) {
        // ignored: the date says which day it is
      } else if (iequals(word, "am") || iequals(word, "pm")) {
        if (!have_time) return std::nullopt;
        (lower(word[0]) == 'p' ? pm : am) = true;
      } else if (zone_name(word, off)) {
        if (have_named) return std::nullopt;
        named_offset = off;
        have_named = have_zone = true;
      } else {
        return std::nullopt;
      }
      continue;
    }
    if (is_digit(c)) {
      std::size_t end = pos;
      while (end < s.size() && is_digit(s[end])) ++end;
      if (end < s.size() && s[end] == ':') {  // a time: h:mm[:ss[.fff]]
        if (have_time || end - pos > 2) return std::nullopt;
        std::size_t p = pos;
        int h = 0;
        for (; p < end; ++p) h = h * 10 + (s[p] - '0');
        ++p;
        if (!digits(s, p, 2, f.minute)) return std::nullopt;
        if (p < s.size() && s[p] == ':') {
          ++p;
          if (!digits(s, p, 2, f.second)) return std::nullopt;
          if (p < s.size() && (s[p] == '.' || s[p] == ',') && p + 1 < s.size() && is_digit(s[p + 1])) {
            ++p;
            while (p < s.size() && is_digit(s[p])) ++p;
          }
        }
        f.hour = h;
        have_time = true;
        pos = p;
        continue;
      }
      const std::size_t n = end - pos;
      int v = 0;
      for (std::size_t i = pos; i < end && i < pos + 9; ++i) v = v * 10 + (s[i] - '0');
      if (n > 4) return std::nullopt;
      if (n >= 3) {
        if (year >= 0) return std::nullopt;  // e.g. an unsigned "0300" zone: too ambiguous
        year = v;
        year_digits = static_cast<int>(n);
      } else if (day == 0) {
        if (v < 1 || v > 31) return std::nullopt;
        day = v;
      } else if (year < 0) {
        year = v;
        year_digits = static_cast<int>(n);
      } else {
        return std::nullopt;
      }
      pos = end;
      continue;
    }
    return std::nullopt;
  }
  if (f.month == 0 || day == 0 || year < 0) return std::nullopt;
  if (year_digits <= 2)
    year += year < 50 ? 2000 : 1900;
  else if (year_digits == 3)
    year += 1900;
  f.year = year;
  f.day = day;
  if (pm || am) {
    if (f.hour < 1 || f.hour > 12) return std::nullopt;
    if (pm && f.hour != 12) f.hour += 12;
    if (am && f.hour == 12) f.hour = 0;
  }
  // "GMT+0300" reads as +03:00; a zone name alone gives its own offset.
  if (have_zone) f.offset_minutes = numeric_offset + named_offset;
  return to_utc(f);
}

std::optional<TimePoint> parse_iso8601_date(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.size() < 4 || s.size() > 64) return std::nullopt;
  Fields f;
  std::size_t p = 0;
  if (!digits(s, p, 4, f.year)) return std::nullopt;
  if (p == s.size()) {  // "2024"
    f.month = f.day = 1;
    return to_utc(f);
  }
  if (s[p] == '-') {
    ++p;
    if (!digits(s, p, 2, f.month)) return std::nullopt;
    if (p == s.size()) {  // "2024-03"
      f.day = 1;
      return to_utc(f);
    }
    if (s[p] != '-') return std::nullopt;
    ++p;
    if (!digits(s, p, 2, f.day)) return std::nullopt;
  } else {
    // the basic format: 20240301
    if (!digits(s, p, 2, f.month) || !digits(s, p, 2, f.day)) return std::nullopt;
  }
  if (p == s.size()) return to_utc(f);
  if (s[p] == 'T' || s[p] == 't' || s[p] == ' ') {
    ++p;
    while (p < s.size() && s[p] == ' ') ++p;
  } else {
    return std::nullopt;
  }
  if (!digits(s, p, 2, f.hour)) return std::nullopt;
  const bool colon = p < s.size() && s[p] == ':';
  if (colon) ++p;
  if (!digits(s, p, 2, f.minute)) return std::nullopt;
  if (p < s.size() && (s[p] == ':' || (!colon && is_digit(s[p])))) {
    if (s[p] == ':') {
      if (!colon) return std::nullopt;
      ++p;
    }
    if (!digits(s, p, 2, f.second)) return std::nullopt;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      if (p == s.size() || !is_digit(s[p])) return std::nullopt;
      while (p < s.size() && is_digit(s[p])) ++p;
    }
  }
  while (p < s.size() && s[p] == ' ') ++p;
  if (p == s.size()) return to_utc(f);  // no zone: UTC, as feedparser assumes
  if (s[p] == 'Z' || s[p] == 'z') {
    ++p;
  } else if (s[p] == '+' || s[p] == '-') {
    if (!numeric_zone(s, p, f.offset_minutes)) return std::nullopt;
  } else {
    std::size_t end = p;
    while (end < s.size() && is_alpha(s[end])) ++end;
    int off = 0;
    // a zone name ("GMT", "MSK"); single military letters other than Z are not ISO
    if (end - p < 2 || !zone_name(s.substr(p, end - p), off)) return std::nullopt;
    f.offset_minutes = off;
    p = end;
  }
  if (trim(s.substr(p)).size() != 0) return std::nullopt;
  return to_utc(f);
}

std::optional<TimePoint> parse_feed_date(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.size() >= 4 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3])) {
    if (auto t = parse_iso8601_date(s)) return t;
  }
  return parse_rfc822_date(s);
}

}  // namespace wirewatch::connectors
