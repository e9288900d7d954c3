// The views' words and numbers: network line, presence, durations, MOS, call outcomes,
// and the view model (contact order, search classification, quality history, rates).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <ctime>

#include "net/identity.hpp"
#include "net/random.hpp"
#include "net/user_id.hpp"
#include "ui/view_format.hpp"
#include "ui/view_model.hpp"

namespace koe::ui {
namespace {

std::string some_id(uint64_t seed) {
  SeededRandom random(seed);
  return to_user_id(Identity::generate(random).node_id());
}

TEST(UiViewFormat, NetworkLineNamesTheStateAndWhy) {
  AppSnapshot s;
  s.network = NetworkState::kConnecting;
  EXPECT_EQ(network_state_line(s), "Connecting...");
  s.network = NetworkState::kOnline;
  s.network_detail = "via supernode 10.0.0.1:4000";
  EXPECT_EQ(network_state_line(s), "Online via supernode 10.0.0.1:4000");
  s.role = NodeRole::kSupernode;
  EXPECT_EQ(network_state_line(s), "Online, acting as a supernode");
  s.network = NetworkState::kOffline;
  s.network_detail = "no supernode answers";
  EXPECT_EQ(network_state_line(s), "Offline: no supernode answers");
  s.network = NetworkState::kFailed;
  s.network_detail.clear();
  EXPECT_EQ(network_state_line(s), "Offline");
}

TEST(UiViewFormat, DurationsReadLikeAClock) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(7.9), "0:07");
  EXPECT_EQ(format_duration(754), "12:34");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-5), "0:00");
  EXPECT_EQ(format_duration(std::nan("")), "0:00");
}

TEST(UiViewFormat, LocalTimeUsesTheTimeZone) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(format_local_time(1714572180), "2024-05-01 14:03");
}

TEST(UiViewFormat, PresenceLabels) {
  EXPECT_EQ(presence_label(PresenceState::kDoNotDisturb), "Do not disturb");
  EXPECT_EQ(presence_label(PresenceState::kOffline), "Offline");
  EXPECT_EQ(own_presence_label(OwnPresence::kInvisible), "Invisible");
}

TEST(UiViewFormat, MosInWordsFollowsG107Bands) {
  EXPECT_EQ(mos_words(4.4), "Excellent");
  EXPECT_EQ(mos_words(4.1), "Good");
  EXPECT_EQ(mos_words(3.7), "Fair");
  EXPECT_EQ(mos_words(3.2), "Poor");
  EXPECT_EQ(mos_words(2.0), "Bad");
}

TEST(UiViewFormat, CallOutcomesInWords) {
  EXPECT_EQ(call_end_words("peer_declined"), "Declined");
  EXPECT_EQ(call_end_words("peer_vanished"), "Connection lost");
  EXPECT_EQ(call_end_words("unknown_id"), "Unknown id");  // free text passes through readably
  CallView call;
  call.peer_name = "Bob";
  EXPECT_EQ(call_status_line(call), "Calling Bob...");
  call.state = CallState::kRinging;
  EXPECT_EQ(call_status_line(call), "Ringing Bob...");
  call.direction = CallDirection::kIncoming;
  EXPECT_EQ(call_status_line(call), "Bob is calling");
  call.state = CallState::kActive;
  EXPECT_EQ(call_status_line(call), "In a call with Bob");
}

TEST(UiViewFormat, FiguresAndIds) {
  EXPECT_EQ(format_milliseconds(std::nullopt), "-");
  EXPECT_EQ(format_milliseconds(std::chrono::microseconds(42'400)), "42 ms");
  EXPECT_EQ(format_percent(0.015), "1.5 %");
  EXPECT_EQ(format_bitrate(24'000), "24 kbit/s");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KB");
  EXPECT_EQ(format_bytes(3 * 1024 * 1024), "3.0 MB");
  EXPECT_EQ(format_kbps(640), "640 kbit/s");
  EXPECT_EQ(format_kbps(12'500), "12.5 Mbit/s");
  EXPECT_EQ(format_kbps(1'000'000), "1.0 Gbit/s");
  const std::string id = some_id(1);
  EXPECT_EQ(grouped_user_id(id).substr(0, 11), id.substr(0, 4) + " " + id.substr(4, 6));
  EXPECT_EQ(person_label("", id), id.substr(0, 10) + "..." + id.substr(id.size() - 6));
  EXPECT_EQ(person_label("花子", id), "花子");
}

ContactView person(std::string name, PresenceState presence, ContactState state, uint64_t seed) {
  return ContactView{some_id(seed), std::move(name), state, "", presence};
}

TEST(UiViewModel, ContactsOnlineFirstThenByName) {
  const std::vector<ContactView> all = {
      person("carol", PresenceState::kOffline, ContactState::kAccepted, 1),
      person("Bob", PresenceState::kAway, ContactState::kAccepted, 2),
      person("alice", PresenceState::kOffline, ContactState::kAccepted, 3),
      person("Dave", PresenceState::kOnline, ContactState::kAccepted, 4),
      person("Eve", PresenceState::kOffline, ContactState::kRequestReceived, 5),
      person("Mallory", PresenceState::kOffline, ContactState::kBlocked, 6),
      person("Zed", PresenceState::kOffline, ContactState::kRequestSent, 7),
  };
  const ContactGroups groups = group_contacts(all);
  std::vector<std::string> names;
  for (const auto& c : groups.contacts) names.push_back(c.display_name);
  EXPECT_EQ(names, (std::vector<std::string>{"Bob", "Dave", "alice", "carol"}));
  ASSERT_EQ(groups.requests_received.size(), 1u);
  EXPECT_EQ(groups.requests_received[0].display_name, "Eve");
  ASSERT_EQ(groups.blocked.size(), 1u);
  ASSERT_EQ(groups.requests_sent.size(), 1u);
  EXPECT_EQ(find_contact(all, all[3].user_id)->display_name, "Dave");
  EXPECT_EQ(find_contact(all, some_id(99)), nullptr);
}

TEST(UiViewModel, SearchTellsNamesFromIdsAndCatchesTypos) {
  EXPECT_EQ(classify_search("   ").kind, SearchQuery::Kind::kEmpty);
  const SearchQuery name = classify_search("  Echo Test ");
  EXPECT_EQ(name.kind, SearchQuery::Kind::kName);
  EXPECT_EQ(name.text, "Echo Test");
  const std::string id = some_id(3);
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const SearchQuery by_id = classify_search(upper);
  EXPECT_EQ(by_id.kind, SearchQuery::Kind::kUserId);
  EXPECT_EQ(by_id.text, id);
  std::string typo = id;
  typo[10] = typo[10] == 'q' ? 'p' : 'q';
  const SearchQuery bad = classify_search(typo);
  EXPECT_EQ(bad.kind, SearchQuery::Kind::kBadUserId);
  EXPECT_FALSE(bad.error.empty());
}

TEST(UiViewModel, QualityHistoryKeepsOneSamplePerSecondForAMinute) {
  QualityHistory history;
  CallView call;
  call.id = 1;
  call.state = CallState::kActive;
  call.stats.rtt = std::chrono::milliseconds(40);
  call.stats.packets_received = 90;
  call.stats.packets_lost = 10;
  for (int tenth = 0; tenth <= 50; ++tenth) {  // 5 s in tenths: one sample per whole second
    call.duration_s = tenth / 10.0;
    history.update(call);
  }
  EXPECT_EQ(history.size(), 6u);
  EXPECT_FLOAT_EQ(history.values(QualityHistory::Series::kRttMs).back(), 40.0f);
  EXPECT_FLOAT_EQ(history.values(QualityHistory::Series::kLossPercent).back(), 10.0f);
  call.duration_s = 500;  // a long gap fills at most a minute
  history.update(call);
  EXPECT_EQ(history.size(), QualityHistory::kSeconds);
  call.id = 2;  // the next call starts afresh
  call.duration_s = 0;
  history.update(call);
  EXPECT_EQ(history.size(), 1u);
}

TEST(UiViewModel, RateMeterAveragesOverWholeSeconds) {
  RateMeter meter;
  meter.update(10.0, 1000);
  EXPECT_EQ(meter.per_second(), 0u);
  meter.update(10.5, 1500);  // under a second: no new figure yet
  EXPECT_EQ(meter.per_second(), 0u);
  meter.update(12.0, 5000);
  EXPECT_EQ(meter.per_second(), 2000u);
  meter.update(13.0, 100);  // the counter started over (node restarted)
  EXPECT_EQ(meter.per_second(), 0u);
}

}  // namespace
}  // namespace koe::ui
