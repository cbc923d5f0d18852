#include "wirewatch/common/diagnostic.hpp"

#include <nlohmann/json.hpp>

#include "wirewatch/common/text.hpp"

namespace wirewatch {

std::string Diagnostic::headline() const {
  std::string out = where.file.empty() ? std::string("<input>") : where.file;
  if (where.line > 0) {
    out += ':' + std::to_string(where.line);
    if (where.column > 0) out += ':' + std::to_string(where.column);
  }
  out += severity == Severity::error ? ": error: " : ": warning: ";
  out += message;
  return out;
}

std::string Diagnostic::render() const {
  std::string out = headline();
  out += '\n';
  if (!source_line.empty() && where.column > 0) {
    out += "  " + source_line + "\n  ";
    // Keep tabs so the caret lines up under the same code point.
    int col = 1;
    for (char32_t cp : utf8_code_points(source_line)) {
      if (col >= where.column) break;
      out += cp == U'\t' ? '\t' : ' ';
      ++col;
    }
    out += "^\n";
  }
  return out;
}

void Diagnostics::error(SourceLocation where, std::string message, std::string source_line) {
  items_.push_back({Severity::error, std::move(where), std::move(message), std::move(source_line)});
}

void Diagnostics::warning(SourceLocation where, std::string message, std::string source_line) {
  items_.push_back({Severity::warning, std::move(where), std::move(message), std::move(source_line)});
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const {
  for (const auto& d : items_)
    if (d.severity == Severity::error) return true;
  return false;
}

std::string Diagnostics::render() const {
  std::string out;
  for (const auto& d : items_) out += d.render();
  return out;
}

std::string Diagnostics::to_json() const {
  auto arr = nlohmann::json::array();
  for (const auto& d : items_) {
    arr.push_back({{"file", d.where.file},
                   {"line", d.where.line},
                   {"column", d.where.column},
                   {"severity", d.severity == Severity::error ? "error" : "warning"},
                   {"message", d.message}});
  }
  return arr.dump();
}

}  // namespace wirewatch
