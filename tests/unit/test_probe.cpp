// Reflexive-address probe messages and the probe responder.
#include <gtest/gtest.h>

#include "net/probe.hpp"
#include "net/random.hpp"

namespace koe {
namespace {

constexpr Endpoint kSeen{Endpoint::make_ip(203, 0, 113, 7), 40001};

TEST(Probe, RequestLayoutIsHeaderThenNonce) {
  const Bytes d = encode_probe_request(ProbeRequest{0x0102030405060708ull});
  const Bytes expected = {wire::kMagic, wire::kProtocolVersion, 0x01, 1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(d, expected);
  EXPECT_EQ(d.size(), kProbeRequestSize);
}

TEST(Probe, ResponseLayoutIsHeaderNonceIpPort) {
  const Bytes d = encode_probe_response(ProbeResponse{0x1122334455667788ull, kSeen});
  const Bytes expected = {wire::kMagic, wire::kProtocolVersion, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
                          0x77, 0x88, 203, 0, 113, 7, 0x9C, 0x41};
  EXPECT_EQ(d, expected);
  EXPECT_EQ(d.size(), kProbeResponseSize);
}

TEST(Probe, RoundTripsSeededValues) {
  SeededRandom random(42);
  for (int i = 0; i < 1000; ++i) {
    const ProbeRequest request{random.next()};
    const auto decoded_request = decode_probe_request(encode_probe_request(request));
    ASSERT_TRUE(decoded_request.ok());
    EXPECT_EQ(*decoded_request, request);

    const Endpoint observed{static_cast<uint32_t>(random.next() | 1), static_cast<uint16_t>(random.next() | 1)};
    const ProbeResponse response{random.next(), observed};
    const auto decoded_response = decode_probe_response(encode_probe_response(response));
    ASSERT_TRUE(decoded_response.ok());
    EXPECT_EQ(*decoded_response, response);
  }
}

TEST(Probe, RejectsTruncationAtEveryOffset) {
  const Bytes request = encode_probe_request(ProbeRequest{7});
  for (size_t n = 0; n < request.size(); ++n) {
    const auto r = decode_probe_request(ByteView(request).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error(), DecodeError::kTruncated) << n;
  }
  const Bytes response = encode_probe_response(ProbeResponse{7, kSeen});
  for (size_t n = 0; n < response.size(); ++n) {
    const auto r = decode_probe_response(ByteView(response).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error(), DecodeError::kTruncated) << n;
  }
}

TEST(Probe, RejectsTrailingGarbage) {
  Bytes request = encode_probe_request(ProbeRequest{7});
  request.push_back(0);
  EXPECT_EQ(decode_probe_request(request).error(), DecodeError::kTrailingBytes);
  Bytes response = encode_probe_response(ProbeResponse{7, kSeen});
  response.insert(response.end(), {0xDE, 0xAD});
  EXPECT_EQ(decode_probe_response(response).error(), DecodeError::kTrailingBytes);
}

TEST(Probe, RejectsOversizedDatagram) {
  Bytes request = encode_probe_request(ProbeRequest{7});
  request.resize(wire::kMaxDatagramSize + 1);
  EXPECT_EQ(decode_probe_request(request).error(), DecodeError::kOversized);
}

TEST(Probe, RejectsBadHeaderAndWrongType) {
  const Bytes request = encode_probe_request(ProbeRequest{7});
  Bytes bad = request;
  bad[0] ^= 0xFF;
  EXPECT_EQ(decode_probe_request(bad).error(), DecodeError::kBadMagic);
  bad = request;
  bad[1] = 9;
  EXPECT_EQ(decode_probe_request(bad).error(), DecodeError::kBadVersion);
  bad = request;
  bad[2] = 0x7F;
  EXPECT_EQ(decode_probe_request(bad).error(), DecodeError::kUnknownType);
  EXPECT_EQ(decode_probe_response(request).error(), DecodeError::kWrongType);
  EXPECT_EQ(decode_probe_request(encode_probe_response(ProbeResponse{7, kSeen})).error(),
            DecodeError::kWrongType);
}

TEST(Probe, RejectsUnanswerableObservedEndpoint) {
  for (const Endpoint observed : {Endpoint{0, 40001}, Endpoint{kSeen.ip, 0}, Endpoint{}}) {
    const auto r = decode_probe_response(encode_probe_response(ProbeResponse{7, observed}));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), DecodeError::kBadFieldValue) << observed.to_string();
  }
}

TEST(ProbeResponder, AnswersWithNonceAndObservedSource) {
  const auto reply = respond_to_probe(kSeen, encode_probe_request(ProbeRequest{0xC0FFEE}));
  ASSERT_TRUE(reply.ok());
  const auto response = decode_probe_response(*reply);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->nonce, 0xC0FFEEu);
  EXPECT_EQ(response->observed, kSeen);
}

TEST(ProbeResponder, ReportsWhyItStaysSilent) {
  EXPECT_EQ(respond_to_probe(kSeen, Bytes{}).error(), DecodeError::kTruncated);
  EXPECT_EQ(respond_to_probe(kSeen, Bytes{0x80, 0x01, 0x01}).error(), DecodeError::kBadMagic);
  // A response is not a request: two responders can never ping-pong.
  EXPECT_EQ(respond_to_probe(kSeen, encode_probe_response(ProbeResponse{1, kSeen})).error(),
            DecodeError::kWrongType);
  EXPECT_EQ(respond_to_probe(Endpoint{kSeen.ip, 0}, encode_probe_request(ProbeRequest{1})).error(),
            DecodeError::kBadFieldValue);
}

TEST(ProbeResponder, NeverAmplifiesMoreThanTwofold) {
  // Every request the responder accepts, with any source, gets a reply at most
  // twice its size; padded or longer requests are rejected, not answered.
  SeededRandom random(7);
  for (int i = 0; i < 1000; ++i) {
    const Bytes request = encode_probe_request(ProbeRequest{random.next()});
    const Endpoint from{static_cast<uint32_t>(random.next() | 1), static_cast<uint16_t>(random.next() | 1)};
    const auto reply = respond_to_probe(from, request);
    ASSERT_TRUE(reply.ok());
    EXPECT_LE(reply->size(), 2 * request.size());
  }
  Bytes padded = encode_probe_request(ProbeRequest{1});
  padded.resize(wire::kMaxDatagramSize, 0);
  EXPECT_FALSE(respond_to_probe(kSeen, padded).ok());
}

}  // namespace
}  // namespace koe
