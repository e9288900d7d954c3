// The settings page's form: loading from settings.json, inline problems in words,
// and the settings it saves (the desktop's own keys kept beside the profile's).
#include <gtest/gtest.h>

#include "net/random.hpp"
#include "ui/settings_form.hpp"

namespace koe::ui {
namespace {

Settings stored() {
  SeededRandom random(5);
  Settings s = default_settings(random);
  s.display_name = "Alice";
  s.listen_port = 40000;
  s.other_fields["future_field"] = 7;
  return s;
}

TEST(UiSettingsForm, ListeningPortProblemsAreExplained) {
  EXPECT_FALSE(listen_port_problem("40000"));
  EXPECT_FALSE(listen_port_problem(" 1025 "));
  EXPECT_NE(listen_port_problem("80")->find("reserved"), std::string::npos);
  EXPECT_NE(listen_port_problem("70000")->find("65535"), std::string::npos);
  EXPECT_NE(listen_port_problem("4o000")->find("whole number"), std::string::npos);
  EXPECT_TRUE(listen_port_problem(""));
}

TEST(UiSettingsForm, BootstrapProblemsNameTheLine) {
  EXPECT_FALSE(bootstrap_problem(""));
  EXPECT_FALSE(bootstrap_problem("10.0.0.1:4000\n\n  sn.example.org:4001  \n"));
  const auto problem = bootstrap_problem("10.0.0.1:4000\nexample.org\n");
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("Line 2"), std::string::npos) << *problem;
  EXPECT_NE(problem->find("HOST:PORT"), std::string::npos) << *problem;
  EXPECT_NE(bootstrap_problem("host:0")->find("port"), std::string::npos);
}

TEST(UiSettingsForm, DisplayNameProblems) {
  EXPECT_FALSE(display_name_problem("花子"));
  EXPECT_TRUE(display_name_problem("   "));
  EXPECT_NE(display_name_problem(std::string(kMaxDisplayNameBytes + 1, 'a'))->find("At most"), std::string::npos);
  EXPECT_TRUE(display_name_problem(std::string("a\0b", 3)));
  EXPECT_TRUE(display_name_problem("\xff\xfe"));
  EXPECT_EQ(clean_display_name("  Bob \t"), "Bob");
}

TEST(UiSettingsForm, SavedFormRoundTripsThroughSettingsJson) {
  SettingsForm form = make_form(stored());
  EXPECT_EQ(form.display_name, "Alice");
  EXPECT_EQ(form.listen_port, "40000");
  EXPECT_TRUE(form.volunteer_supernode);
  EXPECT_TRUE(form.echo_cancellation);
  EXPECT_TRUE(form.play_ringtone);
  form.display_name = " Alicia ";
  form.listen_port = "41000";
  form.volunteer_supernode = false;
  form.audio_input = "USB Mic";
  form.noise_suppression = false;
  form.play_ringtone = false;
  form.bootstrap = "10.0.0.1:4000\n\nsn.example.org:4001\n";
  ASSERT_TRUE(check_form(form).empty());

  const Settings saved = apply_form(form, stored());
  EXPECT_EQ(saved.display_name, "Alicia");
  EXPECT_EQ(saved.listen_port, 41000);
  EXPECT_EQ(saved.supernode_mode, SupernodeMode::kDisabled);
  EXPECT_EQ(saved.other_fields["future_field"], 7);  // keys we do not own survive

  // Through the file and back: the same form.
  auto reread = parse_settings(encode_settings(saved), stored());
  ASSERT_TRUE(reread) << reread.error();
  SettingsForm again = make_form(reread->settings);
  form.display_name = "Alicia";
  form.bootstrap = "10.0.0.1:4000\nsn.example.org:4001\n";
  EXPECT_EQ(again, form);
  const DesktopSettings desktop = desktop_settings(reread->settings);
  EXPECT_EQ(desktop.audio_input, "USB Mic");
  EXPECT_FALSE(desktop.noise_suppression);
  EXPECT_FALSE(desktop.play_ringtone);
  ASSERT_EQ(desktop.bootstrap.size(), 2u);
  EXPECT_EQ(desktop.bootstrap[1], (HostPort{"sn.example.org", 4001}));
}

TEST(UiSettingsForm, VolunteeringKeepsAlwaysAndRestoresAuto) {
  Settings always = stored();
  always.supernode_mode = SupernodeMode::kAlways;
  EXPECT_EQ(apply_form(make_form(always), always).supernode_mode, SupernodeMode::kAlways);
  Settings never = stored();
  never.supernode_mode = SupernodeMode::kDisabled;
  SettingsForm form = make_form(never);
  EXPECT_FALSE(form.volunteer_supernode);
  form.volunteer_supernode = true;
  EXPECT_EQ(apply_form(form, never).supernode_mode, SupernodeMode::kAuto);
}

TEST(UiSettingsForm, MistypedDesktopKeysFallBackToDefaults) {
  Settings s = stored();
  s.other_fields[kEchoCancellationKey] = "yes";
  s.other_fields[kAudioInputKey] = 3;
  s.other_fields[kBootstrapKey] = nlohmann::ordered_json::array({"ok.example:1", 5, "no port"});
  const DesktopSettings d = desktop_settings(s);
  EXPECT_TRUE(d.echo_cancellation);
  EXPECT_EQ(d.audio_input, "");
  ASSERT_EQ(d.bootstrap.size(), 1u);
  EXPECT_EQ(d.bootstrap[0].host, "ok.example");
}

}  // namespace
}  // namespace koe::ui
