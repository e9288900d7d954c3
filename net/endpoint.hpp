// A UDP endpoint (IPv4 address and port), as ENet 1.3 and our NAT models use.
// Plain value type; any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace koe {

struct Endpoint {
  uint32_t ip = 0;  // host byte order: 127.0.0.1 is 0x7f000001
  uint16_t port = 0;

  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;

  bool is_unspecified() const { return ip == 0 && port == 0; }
  bool is_loopback() const { return (ip >> 24) == 127; }
  // RFC 1918 private and RFC 6598 carrier-grade NAT ranges.
  bool is_private() const;

  // "a.b.c.d:port"
  std::string to_string() const;
  // Parses "a.b.c.d:port" (port 1-65535); nullopt on any malformed input.
  static std::optional<Endpoint> parse(std::string_view text);
  static constexpr uint32_t make_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | uint32_t{d};
  }
};

}  // namespace koe

template <>
struct std::hash<koe::Endpoint> {
  size_t operator()(const koe::Endpoint& e) const noexcept {
    return std::hash<uint64_t>{}((uint64_t{e.ip} << 16) | e.port);
  }
};
