// User IDs and the bech32 codec under them: BIP-173 vectors, round trips, and that
// every typo people make (substitutions, transpositions, case, length) is rejected.
#include "net/user_id.hpp"

#include <gtest/gtest.h>

#include <cctype>

#include "net/bech32.hpp"
#include "net/random.hpp"

namespace koe {
namespace {

constexpr std::string_view kAlphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

NodeId random_node_id(SeededRandom& random) {
  NodeId id;
  random.fill(id.bytes);
  return id;
}

std::string to_upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string_view hrp_of(std::string_view text) { return text.substr(0, text.rfind('1')); }

TEST(Bech32, AcceptsBip173ValidVectorsAndReencodesThem) {
  const char* vectors[] = {
      "A12UEL5L",
      "a12uel5l",
      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
      "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
      "?1ezyfcl",
  };
  for (std::string_view text : vectors) {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto hrp = hrp_of(lower);
    auto data = bech32::decode(text, hrp);
    ASSERT_TRUE(data) << text;
    EXPECT_EQ(bech32::encode(hrp, *data), lower);
  }
}

TEST(Bech32, RejectsBip173InvalidVectorsForTheRightReason) {
  struct Case {
    const char* text;
    const char* hrp;
    bech32::ErrorKind kind;
  };
  const Case cases[] = {
      {"pzry9x0s0muk", "p", bech32::ErrorKind::kWrongPrefix},  // no separator
      {"x1b4n0q5v", "x", bech32::ErrorKind::kInvalidCharacter},
      {"li1dgmt3", "li", bech32::ErrorKind::kTooShort},
      {"de1lg7wt\xff", "de", bech32::ErrorKind::kInvalidCharacter},
      {"A1G7SGD8", "a", bech32::ErrorKind::kChecksumMismatch},  // checksum made with uppercase hrp
      {"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", "an84",
       bech32::ErrorKind::kTooLong},
      {"a12UEL5L", "a", bech32::ErrorKind::kMixedCase},
  };
  for (const auto& c : cases) {
    auto result = bech32::decode(c.text, c.hrp);
    ASSERT_FALSE(result) << c.text;
    EXPECT_EQ(result.error().kind, c.kind) << c.text;
  }
  EXPECT_EQ(bech32::decode("x1b4n0q5v", "x").error().index, 2u);
}

TEST(Bech32, RegroupBitsFollowsConvertbits) {
  const Bytes bytes = {0xff, 0x00, 0xa5};
  const auto five = bech32::regroup_bits(bytes, 8, 5, true);
  ASSERT_TRUE(five);
  EXPECT_EQ(*five, (Bytes{31, 28, 0, 10, 10}));  // 11111 11100 00000 01010 0101+0 (padding)
  EXPECT_EQ(bech32::regroup_bits(*five, 5, 8, false), bytes);  // the zero padding bit is dropped
  EXPECT_EQ(bech32::regroup_bits(Bytes{31, 28, 0, 10, 11}, 5, 8, false), std::nullopt);  // non-zero padding
  EXPECT_EQ(bech32::regroup_bits(Bytes{0}, 5, 8, false), std::nullopt);  // a whole group of padding
  const Bytes twenty(20, 0xab);
  EXPECT_EQ(bech32::regroup_bits(*bech32::regroup_bits(twenty, 8, 5, true), 5, 8, false), twenty);
  EXPECT_EQ(bech32::regroup_bits(Bytes{32}, 5, 8, true), std::nullopt);  // value does not fit 5 bits
}

TEST(UserId, RoundTripsAndHasTheDocumentedShape) {
  SeededRandom random(11);
  for (int i = 0; i < 500; ++i) {
    const NodeId id = random_node_id(random);
    const std::string text = to_user_id(id);
    ASSERT_EQ(text.size(), kUserIdLength);
    ASSERT_TRUE(text.starts_with("koe1"));
    auto parsed = parse_user_id(text);
    ASSERT_TRUE(parsed) << text << ": " << parsed.error().message();
    EXPECT_EQ(*parsed, id);
  }
  EXPECT_EQ(to_user_id(NodeId{}), "koe1" + std::string(32, 'q') + to_user_id(NodeId{}).substr(36));
}

TEST(UserId, AcceptsUppercaseAndSurroundingWhitespace) {
  SeededRandom random(12);
  const NodeId id = random_node_id(random);
  const std::string text = to_user_id(id);
  for (const std::string& variant : {to_upper(text), "  " + text + "\n", "\t" + to_upper(text) + " \r\n"}) {
    auto parsed = parse_user_id(variant);
    ASSERT_TRUE(parsed) << variant;
    EXPECT_EQ(*parsed, id);
  }
}

TEST(UserId, RejectsEverySingleCharacterSubstitution) {
  SeededRandom random(13);
  for (int round = 0; round < 20; ++round) {
    const std::string text = to_user_id(random_node_id(random));
    for (size_t pos = 0; pos < text.size(); ++pos) {
      for (int c = 0x20; c < 0x7f; ++c) {
        if (c == text[pos]) continue;  // an uppercase letter is a mixed-case error
        std::string typo = text;
        typo[pos] = static_cast<char>(c);
        ASSERT_FALSE(parse_user_id(typo)) << typo;
      }
    }
  }
}

TEST(UserId, SubstitutionsInsideTheDataAreCaughtByTheChecksum) {
  SeededRandom random(14);
  const std::string text = to_user_id(random_node_id(random));
  for (size_t pos = 4; pos < text.size(); ++pos) {
    for (char c : kAlphabet) {
      if (c == text[pos]) continue;
      std::string typo = text;
      typo[pos] = c;
      auto parsed = parse_user_id(typo);
      ASSERT_FALSE(parsed);
      EXPECT_EQ(parsed.error().kind, UserIdErrorKind::kChecksumMismatch);
    }
  }
}

TEST(UserId, RejectsEveryAdjacentTransposition) {
  SeededRandom random(15);
  for (int round = 0; round < 200; ++round) {
    const std::string text = to_user_id(random_node_id(random));
    for (size_t pos = 0; pos + 1 < text.size(); ++pos) {
      if (text[pos] == text[pos + 1]) continue;
      std::string swapped = text;
      std::swap(swapped[pos], swapped[pos + 1]);
      ASSERT_FALSE(parse_user_id(swapped)) << swapped;
    }
  }
}

TEST(UserId, RejectsUpToFourSubstitutedCharacters) {
  // BIP-173's guarantee: any error in at most 4 characters is detected.
  SeededRandom random(16);
  for (int round = 0; round < 20000; ++round) {
    const std::string text = to_user_id(random_node_id(random));
    std::string typo = text;
    const int errors = 2 + static_cast<int>(random.uniform(3));
    for (int e = 0; e < errors; ++e) {
      const size_t pos = 4 + random.uniform(text.size() - 4);
      typo[pos] = kAlphabet[random.uniform(kAlphabet.size())];
    }
    if (typo == text) continue;
    ASSERT_FALSE(parse_user_id(typo)) << text << " -> " << typo;
  }
}

TEST(UserId, ExplainsWhatIsWrong) {
  SeededRandom random(17);
  const std::string text = to_user_id(random_node_id(random));

  EXPECT_EQ(parse_user_id("").error().kind, UserIdErrorKind::kEmpty);
  EXPECT_EQ(parse_user_id(" \t\n").error().kind, UserIdErrorKind::kEmpty);

  for (const char* other : {"hello", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "koe", "koe:abc", "1koe"}) {
    const auto error = parse_user_id(other).error();
    EXPECT_EQ(error.kind, UserIdErrorKind::kNotKoeId) << other;
    EXPECT_EQ(error.message(), "not a Koe ID (must start with koe1)");
  }

  const auto shorter = parse_user_id(text.substr(0, text.size() - 1)).error();
  EXPECT_EQ(shorter.kind, UserIdErrorKind::kWrongLength);
  EXPECT_EQ(shorter.message(), "ID has the wrong length: a Koe ID has 42 characters, this has 41");
  // Bech32's one weakness (an inserted 'q' before a final 'p') is a length change here.
  EXPECT_EQ(parse_user_id(text + "q").error().kind, UserIdErrorKind::kWrongLength);
  EXPECT_EQ(parse_user_id(text + text).error().kind, UserIdErrorKind::kWrongLength);

  std::string with_b = text;
  with_b[6] = 'b';
  const auto bad_char = parse_user_id("  " + with_b).error();
  EXPECT_EQ(bad_char.kind, UserIdErrorKind::kInvalidCharacter);
  EXPECT_EQ(bad_char.position, 7u);
  EXPECT_EQ(bad_char.message(), "ID has an invalid character 'b' at position 7");

  std::string with_control = text;
  with_control[10] = '\x07';
  EXPECT_EQ(parse_user_id(with_control).error().message(), "ID has an invalid character '\\x07' at position 11");

  std::string mixed = text;
  mixed[0] = 'K';
  EXPECT_EQ(parse_user_id(mixed).error().kind, UserIdErrorKind::kMixedCase);

  std::string typo = text;
  typo[20] = typo[20] == 'q' ? 'p' : 'q';
  EXPECT_EQ(parse_user_id(typo).error().message(), "ID checksum does not match: check for a mistyped character");
}

}  // namespace
}  // namespace koe
