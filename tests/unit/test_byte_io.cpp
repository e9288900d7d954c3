// ByteReader, ByteWriter, UTF-8 validation and the DecodeError vocabulary.
#include <gtest/gtest.h>

#include <variant>

#include <set>
#include <string>
#include <string_view>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"
#include "net/decode_result.hpp"
#include "net/utf8.hpp"

namespace koe {
namespace {

ByteView view_of(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Encodes one Unicode scalar (or, for the tests, a surrogate) as UTF-8.
Bytes utf8_encode(uint32_t cp) {
  if (cp < 0x80) return {static_cast<uint8_t>(cp)};
  if (cp < 0x800) return {static_cast<uint8_t>(0xC0 | (cp >> 6)), static_cast<uint8_t>(0x80 | (cp & 0x3F))};
  if (cp < 0x10000) {
    return {static_cast<uint8_t>(0xE0 | (cp >> 12)), static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F)),
            static_cast<uint8_t>(0x80 | (cp & 0x3F))};
  }
  return {static_cast<uint8_t>(0xF0 | (cp >> 18)), static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F)),
          static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F)), static_cast<uint8_t>(0x80 | (cp & 0x3F))};
}

TEST(ByteReader, ReadsBigEndianIntegers) {
  const Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B,
                      0x0C, 0x0D, 0x0E, 0x0F};
  ByteReader r(data);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_EQ(r.u64(), 0x08090A0B0C0D0E0Full);
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_FALSE(r.failed());
  EXPECT_TRUE(r.expect_end());
}

TEST(ByteReader, ReadPastEndFailsStickyAndReturnsZero) {
  const Bytes data = {0xFF, 0xFF, 0xFF};
  ByteReader r(data);
  EXPECT_EQ(r.u32(), 0u);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error(), DecodeError::kTruncated);
  EXPECT_EQ(r.remaining(), 0u);
  // Sticky: even a read that would fit in the original input now returns zero.
  EXPECT_EQ(r.u8(), 0u);
  EXPECT_TRUE(r.bytes(0).empty());
  EXPECT_FALSE(r.expect_end());
  EXPECT_EQ(r.error(), DecodeError::kTruncated);
}

TEST(ByteReader, EveryWidthDetectsTruncationByOneByte) {
  const Bytes data(8, 0xAB);
  for (size_t width : {1u, 2u, 4u, 8u}) {
    ByteReader r(ByteView(data).first(width - 1));
    switch (width) {
      case 1: EXPECT_EQ(r.u8(), 0u); break;
      case 2: EXPECT_EQ(r.u16(), 0u); break;
      case 4: EXPECT_EQ(r.u32(), 0u); break;
      default: EXPECT_EQ(r.u64(), 0u); break;
    }
    EXPECT_TRUE(r.failed()) << "width " << width;
  }
}

TEST(ByteReader, FixedArraysAndRawBytes) {
  const Bytes data = {1, 2, 3, 4, 5, 6};
  ByteReader r(data);
  const auto first = r.array<4>();
  EXPECT_EQ(first, (std::array<uint8_t, 4>{1, 2, 3, 4}));
  const ByteView tail = r.bytes(2);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail.data(), data.data() + 4);  // a view into the input, not a copy
  EXPECT_TRUE(r.expect_end());

  ByteReader short_reader(ByteView(data).first(3));
  EXPECT_EQ(short_reader.array<4>(), (std::array<uint8_t, 4>{}));
  EXPECT_TRUE(short_reader.failed());
}

TEST(ByteReader, RestReturnsEverythingLeft) {
  const Bytes data = {9, 8, 7, 6};
  ByteReader r(data);
  r.u8();
  const ByteView rest = r.rest();
  EXPECT_EQ(Bytes(rest.begin(), rest.end()), (Bytes{8, 7, 6}));
  EXPECT_TRUE(r.expect_end());
}

TEST(ByteReader, ExpectEndRejectsTrailingBytes) {
  const Bytes data = {0, 1, 2};
  ByteReader r(data);
  r.u16();
  EXPECT_FALSE(r.expect_end());
  EXPECT_EQ(r.error(), DecodeError::kTrailingBytes);
}

TEST(ByteReader, FirstFailureReasonWins) {
  const Bytes data = {0, 1};
  ByteReader r(data);
  r.fail(DecodeError::kBadFieldValue);
  r.u64();
  r.fail(DecodeError::kOversized);
  EXPECT_EQ(r.error(), DecodeError::kBadFieldValue);
}

TEST(ByteReader, FinishReturnsValueOrFirstError) {
  const Bytes data = {0x12, 0x34};
  ByteReader ok(data);
  const auto value = ok.u16();
  const auto done = ok.finish(value);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, 0x1234);

  ByteReader trailing(data);
  const auto first = trailing.u8();
  EXPECT_EQ(trailing.finish(first).error(), DecodeError::kTrailingBytes);

  ByteReader truncated(data);
  const auto wide = truncated.u32();
  EXPECT_EQ(truncated.finish(wide).error(), DecodeError::kTruncated);
}

TEST(ByteReader, ByteStringHonoursLengthPrefixAndMax) {
  const Bytes data = {0x00, 0x03, 'a', 'b', 'c'};
  {
    ByteReader r(data);
    const ByteView s = r.byte_string(3);
    EXPECT_EQ(Bytes(s.begin(), s.end()), (Bytes{'a', 'b', 'c'}));
    EXPECT_TRUE(r.expect_end());
  }
  {
    ByteReader r(data);
    EXPECT_TRUE(r.byte_string(2).empty());
    EXPECT_EQ(r.error(), DecodeError::kOversized);
  }
  {
    // Length claims more than is present.
    const Bytes lying = {0x00, 0x05, 'a', 'b'};
    ByteReader r(lying);
    EXPECT_TRUE(r.byte_string(100).empty());
    EXPECT_EQ(r.error(), DecodeError::kTruncated);
  }
  {
    // A huge claimed length is refused by the limit before the bounds check.
    const Bytes huge = {0xFF, 0xFF};
    ByteReader r(huge);
    r.byte_string(64);
    EXPECT_EQ(r.error(), DecodeError::kOversized);
  }
  {
    const Bytes empty = {0x00, 0x00};
    ByteReader r(empty);
    EXPECT_TRUE(r.byte_string(0).empty());
    EXPECT_TRUE(r.expect_end());
  }
}

TEST(ByteReader, Utf8StringAcceptsValidAndRejectsInvalid) {
  const Bytes cut_char = {0x00, 0x05, 'K', 0xC5, 0x8D, 0xE5, 0xA3};  // truncated 3-byte char
  {
    ByteReader r(cut_char);
    EXPECT_EQ(r.utf8_string(16), "");
    EXPECT_EQ(r.error(), DecodeError::kBadUtf8);
  }
  const Bytes koe = {0x00, 0x06, 'K', 0xC5, 0x8D, 0xE5, 0xA3, 0xB0};  // "Kō声"
  {
    ByteReader r(koe);
    EXPECT_EQ(r.utf8_string(16), "K\xC5\x8D\xE5\xA3\xB0");
    EXPECT_TRUE(r.expect_end());
  }
  const Bytes with_nul = {0x00, 0x03, 'a', 0x00, 'b'};
  {
    ByteReader r(with_nul);
    r.utf8_string(16);
    EXPECT_EQ(r.error(), DecodeError::kBadUtf8);
  }
  {
    ByteReader r(koe);
    r.utf8_string(5);
    EXPECT_EQ(r.error(), DecodeError::kOversized);
  }
}

TEST(ByteWriter, WritesBigEndianAndRoundTripsThroughReader) {
  ByteWriter w(64);
  w.u8(0x01);
  w.u16(0x0203);
  w.u32(0x04050607u);
  w.u64(0x08090A0B0C0D0E0Full);
  w.bytes(Bytes{0xAA, 0xBB});
  w.byte_string(view_of("hi"), 8);
  w.utf8_string("K\xC5\x8D", 8);
  EXPECT_FALSE(w.failed());
  const auto out = std::move(w).finish();
  ASSERT_TRUE(out.has_value());
  const Bytes expected = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C,
                          0x0D, 0x0E, 0x0F, 0xAA, 0xBB, 0x00, 0x02, 'h',  'i',  0x00, 0x03, 'K',
                          0xC5, 0x8D};
  EXPECT_EQ(*out, expected);

  ByteReader r(*out);
  EXPECT_EQ(r.u8(), 0x01);
  EXPECT_EQ(r.u16(), 0x0203);
  EXPECT_EQ(r.u32(), 0x04050607u);
  EXPECT_EQ(r.u64(), 0x08090A0B0C0D0E0Full);
  EXPECT_EQ(r.array<2>(), (std::array<uint8_t, 2>{0xAA, 0xBB}));
  const ByteView hi = r.byte_string(8);
  EXPECT_EQ(std::string(hi.begin(), hi.end()), "hi");
  EXPECT_EQ(r.utf8_string(8), "K\xC5\x8D");
  EXPECT_TRUE(r.expect_end());
}

TEST(ByteWriter, MaxSizeGuardFailsWithoutPartialWrite) {
  ByteWriter w(5);
  w.u32(1);
  EXPECT_EQ(w.size(), 4u);
  w.u16(2);  // would make 6 bytes
  EXPECT_TRUE(w.failed());
  EXPECT_EQ(w.size(), 4u);
  w.u8(3);  // sticky: ignored even though it would fit
  EXPECT_EQ(w.size(), 4u);
  EXPECT_FALSE(std::move(w).finish().has_value());

  ByteWriter exact(5);
  exact.u32(1);
  exact.u8(2);
  EXPECT_EQ(std::move(exact).finish()->size(), 5u);
}

TEST(ByteWriter, RefusesStringsItsReaderWouldReject) {
  {
    ByteWriter w(64);
    w.byte_string(view_of("abcd"), 3);
    EXPECT_TRUE(w.failed());
  }
  {
    ByteWriter w(64);
    w.utf8_string("\xC0\xAF", 8);  // overlong '/'
    EXPECT_TRUE(w.failed());
  }
  {
    ByteWriter w(64);
    w.utf8_string(std::string_view("a\0b", 3), 8);
    EXPECT_TRUE(w.failed());
  }
  {
    const Bytes big(70000, 'x');
    ByteWriter w(100000);
    w.byte_string(big, 100000);  // longer than a u16 prefix can say
    EXPECT_TRUE(w.failed());
  }
}

TEST(Utf8, AcceptsEveryScalarValueAndRejectsSurrogates) {
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(is_valid_utf8(utf8_encode(cp)), !surrogate) << std::hex << cp;
  }
}

TEST(Utf8, TwoByteSequencesExhaustively) {
  for (unsigned a = 0; a < 256; ++a) {
    for (unsigned b = 0; b < 256; ++b) {
      const Bytes s = {static_cast<uint8_t>(a), static_cast<uint8_t>(b)};
      const bool both_ascii = a < 0x80 && b < 0x80;
      const bool one_pair = a >= 0xC2 && a <= 0xDF && b >= 0x80 && b <= 0xBF;
      ASSERT_EQ(is_valid_utf8(s), both_ascii || one_pair) << a << " " << b;
    }
  }
}

TEST(Utf8, RejectsMalformedSequences) {
  const std::vector<Bytes> bad = {
      {0x80},                    // lone continuation
      {0xC0, 0x80},              // overlong NUL
      {0xE0, 0x80, 0xAF},        // overlong '/'
      {0xF0, 0x80, 0x80, 0xAF},  // overlong '/'
      {0xED, 0xA0, 0x80},        // surrogate U+D800
      {0xF4, 0x90, 0x80, 0x80},  // U+110000
      {0xF5, 0x80, 0x80, 0x80},  // lead byte never valid
      {0xFF},
      {0xE2, 0x82},              // truncated U+20AC
      {0xF0, 0x9F, 0x98},        // truncated emoji
      {0xE2, 0x28, 0xA1},        // bad continuation
  };
  for (const auto& s : bad) EXPECT_FALSE(is_valid_utf8(s)) << testing::PrintToString(s);
  EXPECT_TRUE(is_valid_utf8(Bytes{}));
  EXPECT_TRUE(is_valid_utf8(Bytes{0xF0, 0x9F, 0x98, 0x80}));  // U+1F600
  EXPECT_TRUE(is_valid_utf8(Bytes{0x00}));
  EXPECT_FALSE(is_valid_wire_text(Bytes{0x00}));
  EXPECT_TRUE(is_valid_wire_text(std::string_view("plain")));
}

TEST(DecodeError, EveryReasonHasADistinctName) {
  const DecodeError all[] = {DecodeError::kTruncated,    DecodeError::kTrailingBytes,
                             DecodeError::kOversized,    DecodeError::kBadFieldValue,
                             DecodeError::kBadUtf8,      DecodeError::kBadMagic,
                             DecodeError::kBadVersion,   DecodeError::kUnknownType,
                             DecodeError::kWrongType};
  std::set<std::string_view> names;
  for (const auto e : all) names.insert(to_string(e));
  EXPECT_EQ(names.size(), std::size(all));
  EXPECT_EQ(to_string(DecodeError::kTrailingBytes), "trailing_bytes");
}

TEST(Decoded, HoldsValueOrError) {
  const Decoded<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  const Decoded<int> error = DecodeError::kBadMagic;
  EXPECT_FALSE(error);
  EXPECT_EQ(error.error(), DecodeError::kBadMagic);
  EXPECT_THROW((void)error.value(), std::bad_variant_access);
}

}  // namespace
}  // namespace koe
