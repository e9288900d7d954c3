#include "net/endpoint.hpp"

#include <charconv>

namespace koe {

namespace {

// Parses a decimal number in [0, max] that uses all of `text`.
std::optional<uint32_t> parse_number(std::string_view text, uint32_t max) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  uint32_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

}  // namespace

bool Endpoint::is_private() const {
  const uint32_t a = ip >> 24, b = (ip >> 16) & 0xff;
  return a == 10 || (a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) ||
         (a == 100 && b >= 64 && b <= 127);
}

std::string Endpoint::to_string() const {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xff) + "." +
         std::to_string((ip >> 8) & 0xff) + "." + std::to_string(ip & 0xff) + ":" +
         std::to_string(port);
}

std::optional<Endpoint> Endpoint::parse(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  uint32_t ip = 0;
  for (int i = 0; i < 4; ++i) {
    const auto dot = host.find('.');
    if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
    auto octet = parse_number(host.substr(0, dot), 255);
    if (!octet) return std::nullopt;
    ip = (ip << 8) | *octet;
    host = dot == std::string_view::npos ? std::string_view{} : host.substr(dot + 1);
  }
  auto port = parse_number(text.substr(colon + 1), 65535);
  if (!port || *port == 0) return std::nullopt;
  return Endpoint{ip, static_cast<uint16_t>(*port)};
}

}  // namespace koe
