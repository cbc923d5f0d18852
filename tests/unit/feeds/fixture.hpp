#pragma once
// Reads a file of tests/fixtures/feeds.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace wirewatch::test {

inline std::string feed_fixture(const std::string& name) {
  std::ifstream in(std::string(WIREWATCH_FIXTURES) + "/feeds/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

}  // namespace wirewatch::test
