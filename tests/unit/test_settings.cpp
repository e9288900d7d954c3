// settings.json codec: defaults, validation of each field, round trip with unknown fields.
#include "app/settings.hpp"

#include <gtest/gtest.h>

#include <set>

#include "net/random.hpp"
#include "net/udp_host.hpp"

namespace koe {
namespace {

TEST(Settings, DefaultPortsAreRandomWithinTheAllowedRange) {
  SeededRandom random(1);
  std::set<uint16_t> ports;
  for (int i = 0; i < 1000; ++i) {
    const Settings s = default_settings(random);
    EXPECT_GE(s.listen_port, kMinListenPort);
    EXPECT_EQ(s.supernode_mode, SupernodeMode::kAuto);
    EXPECT_TRUE(s.display_name.empty());
    ports.insert(s.listen_port);
  }
  EXPECT_GT(ports.size(), 900u);  // 1000 draws from 64511 ports rarely collide
}

TEST(Settings, RoundTripKeepsUnknownFieldsInOrder) {
  SeededRandom random(2);
  const Settings defaults = default_settings(random);
  const auto parsed = parse_settings(
      R"({"zeta": 1, "display_name": "Ada Lovelace", "listen_port": 1025, "supernode_mode": "always",
          "alpha": {"nested": [true, null]}})",
      defaults);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_FALSE(parsed->used_defaults);
  EXPECT_EQ(parsed->settings.display_name, "Ada Lovelace");
  EXPECT_EQ(parsed->settings.listen_port, 1025);
  EXPECT_EQ(parsed->settings.supernode_mode, SupernodeMode::kAlways);

  const std::string text = encode_settings(parsed->settings);
  EXPECT_LT(text.find("\"zeta\""), text.find("\"alpha\""));
  const auto again = parse_settings(text, defaults);
  ASSERT_TRUE(again);
  EXPECT_EQ(encode_settings(again->settings), text);
}

TEST(Settings, MissingFieldsComeFromDefaults) {
  SeededRandom random(3);
  const Settings defaults = default_settings(random);
  const auto parsed = parse_settings("{}", defaults);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->used_defaults);
  EXPECT_EQ(parsed->settings.listen_port, defaults.listen_port);
}

TEST(Settings, RejectsBadValuesWithAReason) {
  SeededRandom random(4);
  const Settings defaults = default_settings(random);
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "not valid JSON"},
      {"42", "JSON object"},
      {R"({"listen_port": 1024})", "listen_port"},
      {R"({"listen_port": 65536})", "listen_port"},
      {R"({"listen_port": -1})", "listen_port"},
      {R"({"listen_port": 40000.5})", "listen_port"},
      {R"({"listen_port": 18446744073709551615})", "listen_port"},
      {R"({"supernode_mode": "Always"})", "supernode_mode"},
      {R"({"supernode_mode": null})", "supernode_mode"},
      {R"({"display_name": ["x"]})", "display_name"},
      {R"({"display_name": "a\u0000b"})", "display_name"},
      {"{\"display_name\": \"" + std::string(kMaxDisplayNameBytes + 1, 'x') + "\"}", "display_name"},
  };
  for (const auto& [text, reason] : cases) {
    const auto parsed = parse_settings(text, defaults);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().find(reason), std::string::npos) << text << " -> " << parsed.error();
  }
  EXPECT_TRUE(parse_settings("{\"display_name\": \"" + std::string(kMaxDisplayNameBytes, 'x') + "\"}", defaults));
}

TEST(Settings, SupernodeModeNames) {
  for (auto mode : {SupernodeMode::kAuto, SupernodeMode::kAlways, SupernodeMode::kDisabled})
    EXPECT_EQ(parse_supernode_mode(to_string(mode)), mode);
  EXPECT_EQ(to_string(SupernodeMode::kDisabled), "never");
  EXPECT_EQ(parse_supernode_mode("sometimes"), std::nullopt);
}

}  // namespace
}  // namespace koe
