#include "wirewatch/common/hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace wirewatch {

std::array<std::uint8_t, 32> sha256(std::string_view data) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != digest.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return digest;
}

std::string sha256_hex(std::string_view data, std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto digest = sha256(data);
  if (bytes > digest.size()) bytes = digest.size();
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0F];
  }
  return out;
}

}  // namespace wirewatch
