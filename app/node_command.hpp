// NodeCommand: what the UI or the headless runner asks the node to do. Commands are
// queued to the net thread (Node::command); their outcome shows in later AppSnapshots.
// Plain values; any thread.
#pragma once

#include <string>
#include <variant>

#include "app/presence.hpp"

namespace koe {

namespace command {
struct Call {
  std::string user_id;  // koe1...
};
struct Accept {};
struct Decline {};
struct HangUp {};  // cancels, declines or hangs up the call in progress
struct AddContact {
  std::string user_id;
  std::string message;
};
struct AcceptContact {
  std::string user_id;
};
struct DeclineContact {
  std::string user_id;
};
struct BlockContact {
  std::string user_id;
};
struct RemoveContact {
  std::string user_id;
};
struct SetPresence {
  OwnPresence presence = OwnPresence::kOnline;
};
struct Search {
  std::string query;
};
struct SetMuted {
  bool muted = false;
};
struct SetPeerVolume {
  float gain = 1.0f;  // 0..2
};
}  // namespace command

using NodeCommand = std::variant<command::Call, command::Accept, command::Decline, command::HangUp,
                                 command::AddContact, command::AcceptContact, command::DeclineContact,
                                 command::BlockContact, command::RemoveContact, command::SetPresence,
                                 command::Search, command::SetMuted, command::SetPeerVolume>;

}  // namespace koe
