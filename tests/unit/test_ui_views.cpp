// The views, drawn in a headless ImGui context from hand-built snapshots: what they
// show and which commands their buttons push.
#include <gtest/gtest.h>
#include <imgui_internal.h>

#include "net/identity.hpp"
#include "net/random.hpp"
#include "net/user_id.hpp"
#include "tests/unit/ui_frame_harness.hpp"
#include "ui/first_run_view.hpp"
#include "ui/main_view.hpp"

namespace koe::ui {
namespace {

using test::UiHarness;

std::string some_id(uint64_t seed) {
  SeededRandom random(seed);
  return to_user_id(Identity::generate(random).node_id());
}

ContactView contact(std::string name, ContactState state, PresenceState presence, uint64_t seed) {
  ContactView c;
  c.user_id = some_id(seed);
  c.display_name = std::move(name);
  c.state = state;
  c.presence = presence;
  return c;
}

AppSnapshot online_snapshot() {
  AppSnapshot s;
  s.user_id = some_id(1);
  s.display_name = "Alice";
  s.network = NetworkState::kOnline;
  s.network_detail = "via supernode 127.0.0.1:4000";
  return s;
}

struct Recorder {
  std::vector<NodeCommand> commands;
  CommandSink sink() {
    return [this](NodeCommand c) { commands.push_back(std::move(c)); };
  }
};

// Draws a MainView with default settings context.
struct MainHarness {
  UiHarness ui;
  MainView view;
  Recorder recorder;
  Settings saved;
  DeviceChoices devices;
  std::vector<Settings> saves;  // what the settings page asked to save

  auto drawer(const AppSnapshot& snapshot) {
    return [this, &snapshot] {
      const SettingsPageContext context{.saved = saved, .devices = devices, .saving = false, .save_error = "", .restart_needed = false, .echo_service_id = ""};
      if (auto save = view.draw(snapshot, recorder.sink(), context, 0.0).save) saves.push_back(*save);
    };
  }
};

TEST(UiViews, ActiveCallShowsQualityFiguresInFull) {
  MainHarness h;
  AppSnapshot s = online_snapshot();
  CallView call;
  call.id = 7;
  call.peer_id = some_id(2);
  call.peer_name = "Bob";
  call.state = CallState::kActive;
  call.duration_s = 65;
  call.stats.connected = true;
  call.stats.path = CallPath::kDirect;
  call.stats.rtt = std::chrono::milliseconds(42);
  call.stats.bitrate_bps = 24000;
  s.call = call;
  for (int i = 0; i < 3; ++i) h.ui.frame(h.drawer(s));
  EXPECT_TRUE(h.ui.shows("In a call with Bob")) << h.ui.probe().text();
  EXPECT_TRUE(h.ui.shows("1:05"));
  EXPECT_TRUE(h.ui.shows("Round trip"));
  EXPECT_TRUE(h.ui.shows("42 ms"));
  EXPECT_TRUE(h.ui.shows("Direct"));
  EXPECT_TRUE(h.ui.shows("24 kbit/s"));
}

template <typename T>
const T* last_as(const Recorder& r) {
  return r.commands.empty() ? nullptr : std::get_if<T>(&r.commands.back());
}

TEST(UiViews, FirstRunNeedsANameAndReturnsItTrimmed) {
  UiHarness ui;
  FirstRunView view;
  const std::string id = some_id(3);
  std::optional<std::string> chosen;
  const auto draw = [&] {
    if (auto name = view.draw(id, false, "")) chosen = name;
  };
  ui.frame(draw);
  EXPECT_TRUE(ui.shows("Welcome to Koe"));
  EXPECT_TRUE(ui.shows(id.substr(4, 6)));  // the ID, grouped
  ASSERT_NE(ui.probe().find("Continue"), nullptr);
  EXPECT_FALSE(ui.probe().find("Continue")->enabled);
  EXPECT_EQ(ui.run("type \"Display name\" \"  花子 \"\nclick Continue", draw), "");
  EXPECT_EQ(chosen, "花子");
}

TEST(UiViews, StatusSelectorPushesPresence) {
  MainHarness h;
  const AppSnapshot s = online_snapshot();
  EXPECT_EQ(h.ui.run("click Status\nclick \"Do not disturb\"", h.drawer(s)), "");
  const auto* set = last_as<command::SetPresence>(h.recorder);
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->presence, OwnPresence::kDoNotDisturb);
  EXPECT_TRUE(h.ui.shows("Online via supernode 127.0.0.1:4000"));
}

TEST(UiViews, ContactRequestsAndCalls) {
  MainHarness h;
  AppSnapshot s = online_snapshot();
  s.contacts = {contact("Bob", ContactState::kAccepted, PresenceState::kOnline, 2),
                contact("Eve", ContactState::kRequestReceived, PresenceState::kOffline, 3)};
  s.contacts[1].message = "hello from Eve";
  EXPECT_EQ(h.ui.run("expect \"hello from Eve\"\nclick Accept", h.drawer(s)), "");
  ASSERT_NE(last_as<command::AcceptContact>(h.recorder), nullptr);
  EXPECT_EQ(last_as<command::AcceptContact>(h.recorder)->user_id, s.contacts[1].user_id);
  EXPECT_EQ(h.ui.run("click Call", h.drawer(s)), "");
  ASSERT_NE(last_as<command::Call>(h.recorder), nullptr);
  EXPECT_EQ(last_as<command::Call>(h.recorder)->user_id, s.contacts[0].user_id);

  s.call = CallView{};  // while in a call, calling again is not offered
  s.call->state = CallState::kRinging;
  s.call->peer_name = "Bob";
  EXPECT_EQ(h.ui.run("expect \"Ringing Bob...\"\nclick Cancel", h.drawer(s)), "");
  EXPECT_NE(last_as<command::HangUp>(h.recorder), nullptr);
}

TEST(UiViews, SearchOffersAddContactForVerifiedHitsOnly) {
  MainHarness h;
  AppSnapshot s = online_snapshot();
  EXPECT_EQ(h.ui.run("click Search\ntype \"Name or ID\" Echo\nclick Find", h.drawer(s)), "");
  ASSERT_NE(last_as<command::Search>(h.recorder), nullptr);
  EXPECT_EQ(last_as<command::Search>(h.recorder)->query, "Echo");
  s.search.query = "Echo";
  s.search.done = true;
  s.search.hits = {SearchHit{some_id(9), "Echo Test"}};
  EXPECT_EQ(h.ui.run("expect \"1 found\"\nclick \"Add contact\"", h.drawer(s)), "");
  const auto* add = last_as<command::AddContact>(h.recorder);
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->user_id, some_id(9));
  EXPECT_FALSE(add->message.empty());
  // A mistyped ID is explained and never searched for.
  std::string typo = some_id(4);
  typo[12] = typo[12] == 'q' ? 'p' : 'q';
  SearchView fresh;
  UiHarness ui2;
  Recorder r2;
  const auto draw2 = [&] { fresh.draw(s, r2.sink()); };
  EXPECT_EQ(ui2.run("type \"Name or ID\" \"" + typo + "\"\nclick Find\nexpect checksum", draw2), "");
  EXPECT_TRUE(r2.commands.empty());
}

TEST(UiViews, IncomingCallRingsUntilAnswered) {
  MainHarness h;
  AppSnapshot s = online_snapshot();
  s.call = CallView{};
  s.call->direction = CallDirection::kIncoming;
  s.call->state = CallState::kRinging;
  s.call->peer_name = "Carol";
  EXPECT_TRUE(incoming_call_ringing(s));
  EXPECT_EQ(h.ui.run("expect \"Carol is calling\"\nclick Accept", h.drawer(s)), "");
  EXPECT_NE(last_as<command::Accept>(h.recorder), nullptr);
  s.call->state = CallState::kActive;
  EXPECT_FALSE(incoming_call_ringing(s));
  EXPECT_EQ(h.ui.run("expect_gone \"Carol is calling\"\nclick Mute", h.drawer(s)), "");
  ASSERT_NE(last_as<command::SetMuted>(h.recorder), nullptr);
  EXPECT_TRUE(last_as<command::SetMuted>(h.recorder)->muted);
  EXPECT_EQ(h.ui.run("click \"Hang up\"", h.drawer(s)), "");
  EXPECT_NE(last_as<command::HangUp>(h.recorder), nullptr);
}

TEST(UiViews, SettingsExplainBadValuesAndSaveGoodOnes) {
  MainHarness h;
  SeededRandom random(8);
  h.saved = default_settings(random);
  h.saved.display_name = "Alice";
  h.saved.listen_port = 40000;
  const AppSnapshot s = online_snapshot();
  EXPECT_EQ(h.ui.run("click Settings\ntype \"Listening port (UDP)\" 9\nexpect \"A port is a whole number\"",
                     h.drawer(s)),
            "");
  ASSERT_NE(h.ui.probe().find("Save"), nullptr);
  EXPECT_FALSE(h.ui.probe().find("Save")->enabled);
  EXPECT_EQ(h.ui.run("click Revert\nclick \"Noise suppression\"\nclick Save", h.drawer(s)), "");
  ASSERT_EQ(h.saves.size(), 1u);
  EXPECT_EQ(h.saves[0].listen_port, 40000);
  EXPECT_FALSE(desktop_settings(h.saves[0]).noise_suppression);
}

TEST(UiViews, DiagnosticsFilterTheLogAndShowSupernodeLoad) {
  MainHarness h;
  AppSnapshot s = online_snapshot();
  s.log = {"joining the network", "online via supernode 1.2.3.4:5", "call ended: hung_up"};
  s.supernode_load = SupernodeStats{.attached_clients = 12, .index_records = 340, .routing_contacts = 8,
                                   .bytes_in = 2048, .bytes_out = 4096};
  EXPECT_EQ(h.ui.run("click Diagnostics\nexpect \"Attached clients\"\nexpect \"call ended\"\n"
                     "type Filter online\nexpect_gone \"call ended\"\nexpect \"online via\"",
                     h.drawer(s)),
            "");
  EXPECT_TRUE(h.ui.shows("340"));
}

}  // namespace
}  // namespace koe::ui
