// Identity and NodeId: key derivation, signatures, the self-certifying ID, XOR distance.
#include "net/identity.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <unordered_set>

#include "net/random.hpp"

namespace koe {
namespace {

template <size_t N>
std::array<uint8_t, N> from_hex(const char* hex) {
  std::array<uint8_t, N> out{};
  size_t len = 0;
  EXPECT_EQ(sodium_hex2bin(out.data(), out.size(), hex, std::strlen(hex), nullptr, &len, nullptr), 0);
  EXPECT_EQ(len, N);
  return out;
}

ByteView text_bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(Identity, MatchesRfc8032TestVectorOne) {
  const auto seed = from_hex<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  const Identity id = Identity::from_seed(seed);
  EXPECT_EQ(id.public_key(), from_hex<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  EXPECT_EQ(id.sign({}), (from_hex<64>("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                                       "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")));
}

TEST(Identity, NodeIdIsBlake2b160OfPublicKey) {
  SeededRandom random(1);
  const Identity id = Identity::generate(random);
  NodeId expected;
  ASSERT_EQ(crypto_generichash(expected.bytes.data(), 20, id.public_key().data(), 32, nullptr, 0), 0);
  EXPECT_EQ(id.node_id(), expected);
  EXPECT_EQ(node_id_from_public_key(id.public_key()), expected);
}

TEST(Identity, SameSeedGivesSameIdentityAndDifferentSeedsDiffer) {
  SeededRandom a(7), b(7), c(8);
  const Identity ia = Identity::generate(a);
  const Identity ib = Identity::generate(b);
  const Identity ic = Identity::generate(c);
  EXPECT_EQ(ia.public_key(), ib.public_key());
  EXPECT_EQ(ia.node_id(), ib.node_id());
  EXPECT_NE(ia.node_id(), ic.node_id());
}

TEST(Identity, SecretViewsAreLibsodiumsLayout) {
  SeededRandom random(2);
  const Identity id = Identity::generate(random);
  ASSERT_EQ(id.secret_seed().size(), kSecretSeedSize);
  ASSERT_EQ(id.secret_key().size(), kSecretKeySize);
  // libsodium's secret key is seed || public key.
  EXPECT_TRUE(std::equal(id.secret_seed().begin(), id.secret_seed().end(), id.secret_key().begin()));
  EXPECT_TRUE(std::equal(id.public_key().begin(), id.public_key().end(), id.secret_key().begin() + 32));
  // Rebuilding from the stored seed gives the same identity (what the profile relies on).
  const Identity again = Identity::from_seed(id.secret_seed().first<kSecretSeedSize>());
  EXPECT_EQ(again.node_id(), id.node_id());
}

TEST(Identity, SignaturesVerifyOnlyForTheSameKeyAndMessage) {
  SeededRandom random(3);
  const Identity alice = Identity::generate(random);
  const Identity bob = Identity::generate(random);
  const Signature sig = alice.sign(text_bytes("presence record"));

  EXPECT_TRUE(Identity::verify(alice.public_key(), text_bytes("presence record"), sig));
  EXPECT_FALSE(Identity::verify(alice.public_key(), text_bytes("presence recorD"), sig));
  EXPECT_FALSE(Identity::verify(bob.public_key(), text_bytes("presence record"), sig));
  for (size_t i = 0; i < sig.size(); i += 7) {
    Signature bad = sig;
    bad[i] ^= 0x01;
    EXPECT_FALSE(Identity::verify(alice.public_key(), text_bytes("presence record"), bad)) << "byte " << i;
  }
}

TEST(Identity, SurvivesAMove) {
  SeededRandom random(4);
  Identity original = Identity::generate(random);
  const NodeId id = original.node_id();
  const Identity moved = std::move(original);
  EXPECT_EQ(moved.node_id(), id);
  EXPECT_TRUE(Identity::verify(moved.public_key(), text_bytes("x"), moved.sign(text_bytes("x"))));
}

TEST(NodeId, XorDistanceIsAMetricOrderedAsNumbers) {
  SeededRandom random(5);
  NodeId a, b;
  random.fill(a.bytes);
  random.fill(b.bytes);
  EXPECT_EQ(xor_distance(a, a), NodeId{});
  EXPECT_EQ(xor_distance(a, b), xor_distance(b, a));
  for (size_t i = 0; i < kNodeIdSize; ++i) EXPECT_EQ(xor_distance(a, b).bytes[i], a.bytes[i] ^ b.bytes[i]);

  // A difference in an earlier (more significant) byte is a larger distance.
  NodeId near = a, far = a;
  near.bytes[19] ^= 0xff;
  far.bytes[0] ^= 0x01;
  EXPECT_LT(xor_distance(a, near), xor_distance(a, far));
}

TEST(NodeId, HexAndHashing) {
  NodeId id;
  for (size_t i = 0; i < kNodeIdSize; ++i) id.bytes[i] = static_cast<uint8_t>(0xa0 + i);
  EXPECT_EQ(id.to_hex(), "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3");

  SeededRandom random(6);
  std::unordered_set<NodeId> set;
  for (int i = 0; i < 100; ++i) set.insert(Identity::generate(random).node_id());
  EXPECT_EQ(set.size(), 100u);
  EXPECT_EQ(set.count(*set.begin()), 1u);
}

}  // namespace
}  // namespace koe
