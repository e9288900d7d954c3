#include "app/identity_file.hpp"

#include <sodium.h>

#include <string_view>

namespace koe {

namespace {

// Format, one field per line, each ending in '\n':
//   koe-identity v1
//   secret-seed <64 hex digits>
//   public-key <64 hex digits>
constexpr std::string_view kMagic = "koe-identity v";
constexpr std::string_view kVersion = "1";
constexpr std::string_view kSeedLabel = "secret-seed ";
constexpr std::string_view kPublicKeyLabel = "public-key ";

void append(Bytes& out, std::string_view text) { out.insert(out.end(), text.begin(), text.end()); }

void append_hex(Bytes& out, ByteView bytes) {
  const size_t start = out.size();
  out.resize(start + bytes.size() * 2 + 1);
  sodium_bin2hex(reinterpret_cast<char*>(out.data() + start), bytes.size() * 2 + 1, bytes.data(), bytes.size());
  out.pop_back();  // the terminating NUL
}

// Splits off the next '\n'-terminated line; nullopt when no newline is left.
std::optional<std::string_view> next_line(std::string_view& rest) {
  const size_t end = rest.find('\n');
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view line = rest.substr(0, end);
  rest.remove_prefix(end + 1);
  return line;
}

// Decodes "<label><exactly 2*N lowercase hex digits>" into `out`. Only the canonical
// (lowercase) form is accepted, so one identity has exactly one file text.
bool parse_hex_field(std::string_view line, std::string_view label, std::span<uint8_t> out) {
  if (!line.starts_with(label)) return false;
  line.remove_prefix(label.size());
  if (line.size() != out.size() * 2) return false;
  if (line.find_first_not_of("0123456789abcdef") != std::string_view::npos) return false;
  size_t decoded = 0;
  const char* end = nullptr;
  return sodium_hex2bin(out.data(), out.size(), line.data(), line.size(), nullptr, &decoded, &end) == 0 &&
         decoded == out.size() && end == line.data() + line.size();
}

// Secret seed storage that wipes itself, for the moment between parsing and use.
struct WipedSeed {
  std::array<uint8_t, kSecretSeedSize> bytes{};
  ~WipedSeed() { sodium_memzero(bytes.data(), bytes.size()); }
};

}  // namespace

Bytes encode_identity_file(const Identity& identity) {
  Bytes out;
  out.reserve(kMagic.size() + kSeedLabel.size() + kPublicKeyLabel.size() + 4 * kPublicKeySize + 8);
  append(out, kMagic);
  append(out, kVersion);
  append(out, "\n");
  append(out, kSeedLabel);
  append_hex(out, identity.secret_seed());
  append(out, "\n");
  append(out, kPublicKeyLabel);
  append_hex(out, identity.public_key());
  append(out, "\n");
  return out;
}

Expected<Identity, std::string> parse_identity_file(ByteView bytes) {
  std::string_view rest(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (rest.empty()) return Failure{std::string("is empty")};

  const auto magic = next_line(rest);
  if (!magic || !magic->starts_with(kMagic)) {
    return Failure{std::string("is not a Koe identity file (it should start with '") + std::string(kMagic) +
                   std::string(kVersion) + "')"};
  }
  if (magic->substr(kMagic.size()) != kVersion) {
    return Failure{std::string("has an identity format version this Koe does not know (only v") +
                   std::string(kVersion) + "); was it written by a newer Koe?"};
  }

  const auto seed_line = next_line(rest);
  const auto public_key_line = next_line(rest);
  if (!seed_line || !public_key_line) return Failure{std::string("is truncated")};
  if (!rest.empty()) return Failure{std::string("has unexpected data after the public key")};

  WipedSeed seed;
  if (!parse_hex_field(*seed_line, kSeedLabel, seed.bytes)) {
    return Failure{std::string("line 2 should be '") + std::string(kSeedLabel) + "' and 64 lowercase hex digits"};
  }
  PublicKey stored_public_key;
  if (!parse_hex_field(*public_key_line, kPublicKeyLabel, stored_public_key)) {
    return Failure{std::string("line 3 should be '") + std::string(kPublicKeyLabel) + "' and 64 lowercase hex digits"};
  }

  Identity identity = Identity::from_seed(seed.bytes);
  if (identity.public_key() != stored_public_key) {
    return Failure{std::string("is corrupt: its public key does not match its secret seed")};
  }
  return identity;
}

}  // namespace koe
