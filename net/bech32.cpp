#include "net/bech32.hpp"

#include <array>

namespace koe::bech32 {

namespace {

constexpr std::string_view kAlphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
// Constant 1 is BIP-173's; BIP-350's bech32m differs only in it. Our IDs have a fixed
// length, which closes bech32's one weakness (inserting or deleting 'q' before a final 'p').
constexpr uint32_t kChecksumConstant = 1;

// Value of a lowercase alphabet character, or -1.
constexpr std::array<int8_t, 128> make_reverse_alphabet() {
  std::array<int8_t, 128> table{};
  for (auto& v : table) v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr auto kReverseAlphabet = make_reverse_alphabet();

// The BCH code's remainder over GF(32), from BIP-173's reference description.
uint32_t polymod_step(uint32_t chk, uint8_t value) {
  constexpr uint32_t kGenerator[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  const uint32_t top = chk >> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ value;
  for (int i = 0; i < 5; ++i)
    if ((top >> i) & 1) chk ^= kGenerator[i];
  return chk;
}

uint32_t polymod(std::string_view hrp, ByteView data) {
  uint32_t chk = 1;
  // The hrp enters as its high bits, a zero, then its low bits ("hrp expansion").
  for (char c : hrp) chk = polymod_step(chk, static_cast<uint8_t>(c) >> 5);
  chk = polymod_step(chk, 0);
  for (char c : hrp) chk = polymod_step(chk, static_cast<uint8_t>(c) & 31);
  for (uint8_t v : data) chk = polymod_step(chk, v);
  return chk;
}

char to_lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string encode(std::string_view hrp, ByteView data) {
  Bytes values(data.begin(), data.end());
  values.resize(values.size() + kChecksumLength, 0);
  const uint32_t chk = polymod(hrp, values) ^ kChecksumConstant;
  for (size_t i = 0; i < kChecksumLength; ++i)
    values[data.size() + i] = static_cast<uint8_t>((chk >> (5 * (kChecksumLength - 1 - i))) & 31);

  std::string out(hrp);
  out += '1';
  for (uint8_t v : values) out += kAlphabet[v & 31];
  return out;
}

Expected<Bytes, Error> decode(std::string_view text, std::string_view hrp) {
  if (text.size() > kMaxLength) return Failure{Error{ErrorKind::kTooLong}};
  bool has_lower = false, has_upper = false;
  for (char c : text) {
    has_lower |= (c >= 'a' && c <= 'z');
    has_upper |= (c >= 'A' && c <= 'Z');
  }
  if (has_lower && has_upper) return Failure{Error{ErrorKind::kMixedCase}};

  const size_t prefix_length = hrp.size() + 1;
  bool prefix_ok = text.size() >= prefix_length && text[hrp.size()] == '1';
  for (size_t i = 0; prefix_ok && i < hrp.size(); ++i) prefix_ok = to_lower_ascii(text[i]) == hrp[i];
  if (!prefix_ok) return Failure{Error{ErrorKind::kWrongPrefix}};

  Bytes values;
  values.reserve(text.size() - prefix_length);
  for (size_t i = prefix_length; i < text.size(); ++i) {
    const auto c = static_cast<uint8_t>(to_lower_ascii(text[i]));
    const int v = c < kReverseAlphabet.size() ? kReverseAlphabet[c] : -1;
    if (v < 0) return Failure{Error{ErrorKind::kInvalidCharacter, i, text[i]}};
    values.push_back(static_cast<uint8_t>(v));
  }
  if (values.size() < kChecksumLength) return Failure{Error{ErrorKind::kTooShort}};
  if (polymod(hrp, values) != kChecksumConstant) return Failure{Error{ErrorKind::kChecksumMismatch}};
  values.resize(values.size() - kChecksumLength);
  return values;
}

std::optional<Bytes> regroup_bits(ByteView in, int from_bits, int to_bits, bool pad) {
  const uint32_t max_out = (1u << to_bits) - 1;
  uint32_t acc = 0;
  int bits = 0;
  Bytes out;
  out.reserve(in.size() * static_cast<size_t>(from_bits) / static_cast<size_t>(to_bits) + 1);
  for (uint8_t v : in) {
    if ((v >> from_bits) != 0) return std::nullopt;
    acc = (acc << from_bits) | v;
    bits += from_bits;
    while (bits >= to_bits) {
      bits -= to_bits;
      out.push_back(static_cast<uint8_t>((acc >> bits) & max_out));
    }
    acc &= (1u << bits) - 1;  // keep only the bits not yet emitted
  }
  if (pad) {
    if (bits > 0) out.push_back(static_cast<uint8_t>((acc << (to_bits - bits)) & max_out));
  } else if (bits >= from_bits || acc != 0) {
    return std::nullopt;
  }
  return out;
}

}  // namespace koe::bech32
