// Text the views show (network line, presence, durations, call words, quality figures),
// computed without OpenGL so it can be unit tested. Pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "app/app_snapshot.hpp"

namespace koe::ui {

// One line for the network state: "Connecting...", "Online via supernode 1.2.3.4:5",
// "Online, acting as a supernode", "Offline: <reason>".
std::string network_state_line(const AppSnapshot& snapshot);
// The user ID split into groups of 6 after "koe1" so people can read it aloud.
std::string grouped_user_id(const std::string& user_id);
// A name when there is one, else the ID shortened to "koe1abcdef...uvwxyz".
std::string person_label(const std::string& display_name, const std::string& user_id);

std::string_view presence_label(PresenceState state);     // "Online", "Do not disturb", ...
std::string_view own_presence_label(OwnPresence presence);  // also "Invisible"

// "0:07", "12:34", "1:02:03"; negative or non-finite counts as zero.
std::string format_duration(double seconds);
// Local date and time of a Unix timestamp, "2024-05-01 14:03".
std::string format_local_time(int64_t unix_seconds);

// What an E-model MOS means to a listener (G.107's user-satisfaction bands):
// "Excellent" (>= 4.34), "Good" (>= 4.03), "Fair" (>= 3.60), "Poor" (>= 3.10), "Bad".
std::string_view mos_words(double mos);
// A call's end reason (CallEndReason's stable name, or a free-text failure) in words.
std::string call_end_words(std::string_view reason);
// "Calling Alice...", "Ringing Alice...", "Alice is calling", "In a call with Alice".
std::string call_status_line(const CallView& call);
std::string_view path_label(CallPath path);  // "Direct", "Same network (LAN)", "Relayed", "-"

std::string format_milliseconds(std::optional<Duration> value);  // "42 ms", "-" when unknown
std::string format_percent(double fraction);                     // 0.015 -> "1.5 %"
std::string format_bitrate(uint32_t bits_per_second);            // "24 kbit/s"
std::string format_bytes(uint64_t bytes);                        // "512 B", "1.5 KB", "2.0 MB"
std::string format_kbps(double kbps);                            // "640 kbit/s", "12.5 Mbit/s"

}  // namespace koe::ui
