// Presence records: signing, the reader's checks (structure, expiry, lifetime,
// ID derived from the key, signature) and field limits.
#include <gtest/gtest.h>

#include <algorithm>

#include "index/presence_record.hpp"
#include "tests/unit/index_test_support.hpp"

namespace koe {
namespace {

using index_test::kNowUnix;
using index_test::record_for;

constexpr uint64_t kMaxLifetime = 7200;

class IndexRecord : public ::testing::Test {
 protected:
  SeededRandom random{7};
  sim::PlainKeySigner signer{random};
  sim::PlainKeySigner other{random};
};

TEST_F(IndexRecord, SignedRecordVerifiesAndRoundTrips) {
  const PresenceRecord r = record_for(signer);
  const auto encoded = sign_record(r, signer);
  ASSERT_TRUE(encoded);
  EXPECT_LE(encoded->size(), kMaxRecordSize);
  const auto verified = verify_record(*encoded, kNowUnix, kMaxLifetime);
  ASSERT_TRUE(verified);
  EXPECT_EQ(*verified, r);
  const auto decoded = decode_record(*encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(encode_record(decoded->record, decoded->signature), *encoded);
}

TEST_F(IndexRecord, LargestRecordFitsItsLimit) {
  PresenceRecord r = record_for(signer, std::string(kMaxDisplayNameBytes, 'x'));
  r.endpoints.resize(kMaxRecordEndpoints, r.endpoints[0]);
  r.supernodes[0].key = signer.public_key();  // any key whose ID is the reference's
  r.supernodes[0].id = node_id_from_public_key(signer.public_key());
  r.supernodes.resize(kMaxRecordSupernodes, r.supernodes[0]);
  const auto encoded = sign_record(r, signer);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->size(), kMaxRecordSize);
  const auto verified = verify_record(*encoded, kNowUnix, kMaxLifetime);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->supernodes[0].key, signer.public_key());
}

TEST_F(IndexRecord, ASupernodeKeyMustBeTheOneItsIdDerivesFrom) {
  PresenceRecord r = record_for(signer, "Alice");
  r.supernodes[0].key = signer.public_key();  // not the key of supernodes[0].id
  EXPECT_FALSE(sign_record(r, signer));
  // Forged on the wire: the reference's ID changed after encoding with a matching one.
  r.supernodes[0].id = node_id_from_public_key(signer.public_key());
  auto encoded = sign_record(r, signer);
  ASSERT_TRUE(encoded);
  const Bytes id(r.supernodes[0].id.bytes.begin(), r.supernodes[0].id.bytes.end());
  const auto at = std::find_end(encoded->begin(), encoded->end(), id.begin(), id.end());  // the reference's
  ASSERT_NE(at, encoded->end());
  (*at) ^= 1;
  EXPECT_FALSE(decode_record(*encoded));
}

TEST_F(IndexRecord, AnyFlippedBitFailsVerification) {
  const auto encoded = sign_record(record_for(signer), signer);
  ASSERT_TRUE(encoded);
  for (size_t i = 0; i < encoded->size(); ++i) {
    Bytes tampered = *encoded;
    tampered[i] ^= 0x01;
    EXPECT_FALSE(verify_record(tampered, kNowUnix, kMaxLifetime)) << "byte " << i;
  }
}

TEST_F(IndexRecord, SignatureFromAnotherKeyIsRejected) {
  const auto encoded = sign_record(record_for(signer), other);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(verify_record(*encoded, kNowUnix, kMaxLifetime).error(), RecordError::kBadSignature);
}

TEST_F(IndexRecord, IdNotDerivedFromTheKeyIsRejected) {
  PresenceRecord r = record_for(signer);
  r.id = node_id_from_public_key(other.public_key());  // claims someone else's ID, signs with own key
  const auto encoded = sign_record(r, signer);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(verify_record(*encoded, kNowUnix, kMaxLifetime).error(), RecordError::kIdMismatch);
}

TEST_F(IndexRecord, ExpiredAndTooLongLivedRecordsAreRejected) {
  PresenceRecord r = record_for(signer);
  r.expires_at = kNowUnix;
  EXPECT_EQ(verify_record(*sign_record(r, signer), kNowUnix, kMaxLifetime).error(), RecordError::kExpired);
  r.expires_at = kNowUnix + kMaxLifetime + 1;
  EXPECT_EQ(verify_record(*sign_record(r, signer), kNowUnix, kMaxLifetime).error(), RecordError::kTooLongLived);
  r.expires_at = kNowUnix + kMaxLifetime;
  EXPECT_TRUE(verify_record(*sign_record(r, signer), kNowUnix, kMaxLifetime));
}

TEST_F(IndexRecord, EncoderRefusesFieldsOverTheirLimits) {
  PresenceRecord r = record_for(signer, std::string(kMaxDisplayNameBytes + 1, 'x'));
  EXPECT_FALSE(sign_record(r, signer));
  r = record_for(signer);
  r.endpoints.resize(kMaxRecordEndpoints + 1, r.endpoints[0]);
  EXPECT_FALSE(sign_record(r, signer));
  r = record_for(signer);
  r.supernodes.resize(kMaxRecordSupernodes + 1, r.supernodes[0]);
  EXPECT_FALSE(sign_record(r, signer));
  r = record_for(signer, std::string("a\0b", 3));  // U+0000
  EXPECT_FALSE(sign_record(r, signer));
  r = record_for(signer);
  r.endpoints[0].endpoint.port = 0;
  EXPECT_FALSE(sign_record(r, signer));
}

TEST_F(IndexRecord, DecoderRejectsTruncationTrailingBytesAndBadFields) {
  const auto encoded = sign_record(record_for(signer), signer);
  ASSERT_TRUE(encoded);
  for (size_t n = 0; n < encoded->size(); ++n) {
    const auto d = decode_record(ByteView(*encoded).first(n));
    ASSERT_FALSE(d) << n;
    EXPECT_EQ(d.error(), DecodeError::kTruncated) << n;
  }
  Bytes longer = *encoded;
  longer.push_back(0);
  EXPECT_EQ(decode_record(longer).error(), DecodeError::kTrailingBytes);
  Bytes bad_format = *encoded;
  bad_format[0] = kRecordFormat + 1;
  EXPECT_EQ(decode_record(bad_format).error(), DecodeError::kBadFieldValue);
  Bytes oversized(kMaxRecordSize + 1, 0);
  EXPECT_EQ(decode_record(oversized).error(), DecodeError::kOversized);
  EXPECT_EQ(verify_record(oversized, kNowUnix, kMaxLifetime).error(), RecordError::kMalformed);
}

}  // namespace
}  // namespace koe
