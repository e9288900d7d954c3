// Text the views show, computed without OpenGL so it can be unit tested.
// Pure functions; any thread.
#pragma once

#include <string>

#include "app/app_snapshot.hpp"

namespace koe::ui {

// One line for the network state, e.g. "Listening on UDP port 40000".
std::string network_state_line(const AppSnapshot& snapshot);
// The user ID split into groups of 6 after "koe1" so people can read it aloud.
std::string grouped_user_id(const std::string& user_id);

}  // namespace koe::ui
