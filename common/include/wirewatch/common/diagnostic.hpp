#pragma once
// Diagnostics with source locations, printed as `file:line:col: error: message`
// (1-based, columns in code points) followed by the offending line and a caret.

#include <string>
#include <vector>

namespace wirewatch {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based, in Unicode code points; 0 when unknown
};

enum class Severity { error, warning };

struct Diagnostic {
  Severity severity = Severity::error;
  SourceLocation where;
  std::string message;
  std::string source_line;  // the line `where` points into, for the caret display

  // `file:line:col: error: message`, without the source line.
  std::string headline() const;
  // headline, then (when known) the source line and a caret under the column.
  std::string render() const;
};

class Diagnostics {
 public:
  void error(SourceLocation where, std::string message, std::string source_line = {});
  void warning(SourceLocation where, std::string message, std::string source_line = {});
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const Diagnostics& other);

  bool has_errors() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  // Every diagnostic rendered, one after another.
  std::string render() const;
  // A JSON array of {file, line, column, severity, message} for tools.
  std::string to_json() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace wirewatch
