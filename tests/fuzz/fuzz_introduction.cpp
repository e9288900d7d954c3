// libFuzzer harness for sealed introductions (app/introduction): arbitrary bytes never
// crash the opener. Each input is tried as it is (the seal fails) and also sealed to the
// recipient first, so mutations reach the body parser, the recipient and signature
// checks and the offer and ticket decoders behind the seal.
#include <sodium.h>

#include <cstdint>
#include <cstdlib>

#include "app/introduction.hpp"
#include "net/random.hpp"

namespace {

using namespace koe;

constexpr uint64_t kNow = 1'900'000'000;

const Identity& recipient() {
  static const Identity identity = [] {
    SeededRandom random(99);
    return Identity::generate(random);
  }();
  return identity;
}

void check(ByteView sealed) {
  const auto opened = open_introduction(recipient(), kNow, sealed);
  if (opened && opened->introduction.kind != IntroductionKind::kRelay && !opened->introduction.offer) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (sodium_init() < 0) std::abort();
  check(ByteView(data, size));
  if (size + crypto_box_SEALBYTES > kMaxSealedIntroduction) return 0;
  std::array<uint8_t, crypto_box_PUBLICKEYBYTES> box_public{};
  if (crypto_sign_ed25519_pk_to_curve25519(box_public.data(), recipient().public_key().data()) != 0) std::abort();
  Bytes sealed(size + crypto_box_SEALBYTES);
  if (crypto_box_seal(sealed.data(), data, size, box_public.data()) != 0) std::abort();
  check(sealed);
  return 0;
}
