// The common wire header: packet type list, encode/decode and their rejections.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "net/wire.hpp"

namespace koe::wire {
namespace {

const PacketType kAllTypes[] = {
    PacketType::kProbeRequest,        PacketType::kProbeResponse, PacketType::kHandshakeInitiation,
    PacketType::kHandshakeResponse,   PacketType::kCookieReply,   PacketType::kSessionData,
    PacketType::kIndexRequest,        PacketType::kIndexResponse, PacketType::kPunchProbe,
    PacketType::kPunchAck,            PacketType::kRelayControl,  PacketType::kRelayFrame,
    PacketType::kProbeRedirect,       PacketType::kProbeForward,  PacketType::kUpstreamTrain,
    PacketType::kUpstreamReport,
};

Bytes datagram(PacketType type, const Bytes& body) {
  const auto header = encode_header(type);
  Bytes out(kHeaderSize + body.size());
  std::copy(header.begin(), header.end(), out.begin());
  std::copy(body.begin(), body.end(), out.begin() + kHeaderSize);
  return out;
}

TEST(Wire, EveryListedTypeIsKnownAndNamedDistinctly) {
  std::set<std::string_view> names;
  for (const auto type : kAllTypes) {
    EXPECT_TRUE(is_known_packet_type(static_cast<uint8_t>(type)));
    EXPECT_NE(packet_type_name(type), "unknown");
    names.insert(packet_type_name(type));
  }
  EXPECT_EQ(names.size(), std::size(kAllTypes));
  EXPECT_EQ(packet_type_name(PacketType::kProbeRequest), "probe_request");
}

TEST(Wire, ExactlyTheListedValuesAreKnown) {
  std::set<uint8_t> listed;
  for (const auto type : kAllTypes) listed.insert(static_cast<uint8_t>(type));
  for (unsigned v = 0; v < 256; ++v) {
    EXPECT_EQ(is_known_packet_type(static_cast<uint8_t>(v)), listed.count(static_cast<uint8_t>(v)) == 1) << v;
  }
  EXPECT_EQ(packet_type_name(static_cast<PacketType>(0xEE)), "unknown");
}

TEST(Wire, MagicCarriesTheBitEnetNeverSetsForUs) {
  EXPECT_NE(kMagic & 0x40, 0);
  EXPECT_TRUE(is_koe_datagram(datagram(PacketType::kPunchProbe, {})));
  EXPECT_FALSE(is_koe_datagram(Bytes{}));
  EXPECT_FALSE(is_koe_datagram(Bytes{0x00, 0x01}));
}

TEST(Wire, EncodeHeaderLayout) {
  EXPECT_EQ(encode_header(PacketType::kRelayFrame),
            (std::array<uint8_t, kHeaderSize>{kMagic, kProtocolVersion, 0x41}));
}

TEST(Wire, DecodeHeaderRoundTripsEveryType) {
  const Bytes body = {1, 2, 3};
  for (const auto type : kAllTypes) {
    const Bytes d = datagram(type, body);
    const auto packet = decode_header(d);
    ASSERT_TRUE(packet.ok()) << packet_type_name(type);
    EXPECT_EQ(packet->type, type);
    EXPECT_EQ(Bytes(packet->body.begin(), packet->body.end()), body);
    EXPECT_EQ(packet->body.data(), d.data() + kHeaderSize);
  }
}

TEST(Wire, HeaderOnlyDatagramHasEmptyBody) {
  const auto packet = decode_header(datagram(PacketType::kPunchAck, {}));
  ASSERT_TRUE(packet.ok());
  EXPECT_TRUE(packet->body.empty());
}

TEST(Wire, RejectsEveryTruncatedHeader) {
  const Bytes d = datagram(PacketType::kProbeRequest, {});
  for (size_t n = 0; n < kHeaderSize; ++n) {
    const auto packet = decode_header(ByteView(d).first(n));
    ASSERT_FALSE(packet.ok());
    EXPECT_EQ(packet.error(), DecodeError::kTruncated) << n;
  }
}

TEST(Wire, RejectsBadMagicVersionAndType) {
  Bytes d = datagram(PacketType::kProbeRequest, {0});
  Bytes bad_magic = d;
  bad_magic[0] = 0x00;
  EXPECT_EQ(decode_header(bad_magic).error(), DecodeError::kBadMagic);
  Bytes bad_version = d;
  bad_version[1] = kProtocolVersion + 1;
  EXPECT_EQ(decode_header(bad_version).error(), DecodeError::kBadVersion);
  bad_version[1] = 0;
  EXPECT_EQ(decode_header(bad_version).error(), DecodeError::kBadVersion);
  Bytes bad_type = d;
  bad_type[2] = 0x00;
  EXPECT_EQ(decode_header(bad_type).error(), DecodeError::kUnknownType);
  bad_type[2] = 0xFF;
  EXPECT_EQ(decode_header(bad_type).error(), DecodeError::kUnknownType);
}

TEST(Wire, SizeLimitIsInclusive) {
  const Bytes at_limit = datagram(PacketType::kRelayFrame, Bytes(kMaxDatagramSize - kHeaderSize, 0xAB));
  EXPECT_TRUE(decode_header(at_limit).ok());
  const Bytes over = datagram(PacketType::kRelayFrame, Bytes(kMaxDatagramSize - kHeaderSize + 1, 0xAB));
  EXPECT_EQ(decode_header(over).error(), DecodeError::kOversized);
}

TEST(Wire, StartPacketWritesHeaderAndCapsTheDatagram) {
  ByteWriter w = start_packet(PacketType::kIndexRequest);
  EXPECT_EQ(w.size(), kHeaderSize);
  w.u32(0xDEADBEEF);
  const auto bytes = std::move(w).finish();
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(*bytes, datagram(PacketType::kIndexRequest, {0xDE, 0xAD, 0xBE, 0xEF}));

  ByteWriter full = start_packet(PacketType::kRelayFrame);
  full.bytes(Bytes(kMaxDatagramSize - kHeaderSize, 0));
  EXPECT_FALSE(full.failed());
  full.u8(0);
  EXPECT_TRUE(full.failed());
}

TEST(Wire, OpenPacketChecksHeaderThenType) {
  const Bytes d = datagram(PacketType::kPunchProbe, {0x12, 0x34});
  auto reader = open_packet(d, PacketType::kPunchProbe);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->u16(), 0x1234);
  EXPECT_TRUE(reader->expect_end());

  EXPECT_EQ(open_packet(d, PacketType::kPunchAck).error(), DecodeError::kWrongType);
  EXPECT_EQ(open_packet(ByteView(d).first(2), PacketType::kPunchProbe).error(), DecodeError::kTruncated);
}

}  // namespace
}  // namespace koe::wire
