#include "wirewatch/normalizer/date.hpp"

#include <chrono>

namespace wirewatch {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<TimePoint> parse_iso_date_time(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  int y = 0, mo = 0, d = 0;
  std::size_t pos = 0;
  if (!digits(s, 0, 4, y)) return std::nullopt;
  if (s.size() > 4 && (s[4] == '-' || s[4] == '/')) {
    char sep = s[4];
    if (!digits(s, 5, 2, mo) || s.size() < 8 || s[7] != sep || !digits(s, 8, 2, d)) return std::nullopt;
    pos = 10;
  } else {
    if (!digits(s, 4, 2, mo) || !digits(s, 6, 2, d)) return std::nullopt;
    pos = 8;
  }
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1900 || y > 2200) return std::nullopt;
  TimePoint t = time_point_cast<seconds>(sys_days{ymd});
  if (pos == s.size()) return t;
  if (s[pos] != 'T' && s[pos] != ' ' && s[pos] != 't') return t;
  ++pos;
  int hh = 0, mm = 0, ss = 0;
  if (!digits(s, pos, 2, hh)) return t;
  pos += 2;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (!digits(s, pos, 2, mm)) return t;
  pos += 2;
  if (pos < s.size() && s[pos] == ':' && digits(s, pos + 1, 2, ss))
    pos += 3;
  else if (digits(s, pos, 2, ss))
    pos += 2;
  if (hh > 24 || mm > 59 || ss > 60) return t;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
  }
  while (pos < s.size() && s[pos] == ' ') ++pos;
  t += hours{hh} + minutes{mm} + seconds{ss};
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (digits(s, pos + 1, 2, oh)) {
      std::size_t p = pos + 3;
      if (p < s.size() && s[p] == ':') ++p;
      digits(s, p, 2, om);
      if (oh <= 14 && om <= 59) t -= sign * (hours{oh} + minutes{om});
    }
  }
  return t;
}

}  // namespace wirewatch
