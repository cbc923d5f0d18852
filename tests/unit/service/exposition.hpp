#pragma once
// A small parser for the Prometheus text format 0.0.4, strict enough to catch
// malformed output: every sample line is `name{labels} value`, label values
// are quoted with \\, \" and \n escapes, every sample's family has exactly one
// HELP and one TYPE line before its first sample.

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

namespace exposition {

struct Parsed {
  std::map<std::string, std::string> help;  // family → help text (unescaped)
  std::map<std::string, std::string> type;  // family → type
  // "name{a=\"x\",b=\"y\"}" as written (labels in written order) → value text
  std::map<std::string, std::string> samples;
  std::string error;  // first problem found; empty when well-formed

  double value(const std::string& series) const {
    auto it = samples.find(series);
    if (it == samples.end()) return -1;
    return std::stod(it->second);
  }
};

inline std::string family_of(const std::string& name, const std::map<std::string, std::string>& type) {
  if (type.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s = suffix;
    if (name.size() > s.size() && name.ends_with(s)) {
      auto base = name.substr(0, name.size() - s.size());
      auto it = type.find(base);
      if (it != type.end() && it->second == "histogram") return base;
    }
  }
  return {};
}

inline Parsed parse(const std::string& text) {
  Parsed p;
  if (!text.empty() && text.back() != '\n') p.error = "no final newline";
  std::istringstream in(text);
  std::string line;
  while (p.error.empty() && std::getline(in, line)) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      auto rest = line.substr(7);
      auto sp = rest.find(' ');
      if (sp == std::string::npos) {
        p.error = "bad comment: " + line;
        break;
      }
      auto name = rest.substr(0, sp);
      auto body = rest.substr(sp + 1);
      auto& target = line[2] == 'H' ? p.help : p.type;
      if (target.count(name)) {
        p.error = "repeated: " + line;
        break;
      }
      if (line[2] == 'H') {
        std::string un;
        for (std::size_t i = 0; i < body.size(); ++i) {
          if (body[i] == '\\' && i + 1 < body.size()) {
            ++i;
            un += body[i] == 'n' ? '\n' : body[i];
          } else {
            un += body[i];
          }
        }
        body = un;
      } else if (body != "counter" && body != "gauge" && body != "histogram") {
        p.error = "bad type: " + line;
        break;
      }
      target[name] = body;
      continue;
    }
    if (line.empty() || line[0] == '#') {
      p.error = "unexpected line: " + line;
      break;
    }
    // name
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    auto name = line.substr(0, i);
    std::string series = name;
    if (i < line.size() && line[i] == '{') {
      series += '{';
      ++i;
      bool first = true;
      while (i < line.size() && line[i] != '}') {
        if (!first) {
          if (line[i] != ',') {
            p.error = "expected , in " + line;
            break;
          }
          series += ',';
          ++i;
        }
        first = false;
        auto eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          p.error = "bad label in " + line;
          break;
        }
        series += line.substr(i, eq - i) + "=\"";
        i = eq + 2;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            const char next = i + 1 < line.size() ? line[i + 1] : '\0';
            if (next != '\\' && next != '"' && next != 'n') {
              p.error = "bad escape in " + line;
              break;
            }
            series += line.substr(i, 2);
            i += 2;
          } else {
            series += line[i++];
          }
        }
        if (!p.error.empty()) break;
        if (i >= line.size()) {
          p.error = "unterminated label value in " + line;
          break;
        }
        series += '"';
        ++i;
      }
      if (!p.error.empty()) break;
      if (i >= line.size()) {
        p.error = "unterminated labels in " + line;
        break;
      }
      series += '}';
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') {
      p.error = "no value in " + line;
      break;
    }
    auto value = line.substr(i + 1);
    if (value.empty() || value.find(' ') != std::string::npos) {
      p.error = "bad value in " + line;
      break;
    }
    if (value != "+Inf" && value != "-Inf" && value != "NaN") {
      std::size_t used = 0;
      try {
        std::stod(value, &used);
      } catch (...) {
        used = 0;
      }
      if (used != value.size()) {
        p.error = "bad value in " + line;
        break;
      }
    }
    auto family = family_of(name, p.type);
    if (family.empty() || !p.help.count(family)) {
      p.error = "sample before HELP/TYPE: " + line;
      break;
    }
    if (p.samples.count(series)) {
      p.error = "repeated series: " + line;
      break;
    }
    p.samples[series] = value;
  }
  return p;
}

}  // namespace exposition
