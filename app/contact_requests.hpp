// ContactRequests: the contact-request protocol over the node's ContactList: adding by
// ID (a mistyped ID is refused by its checksum), requests with a short note, accept /
// decline / block, and exactly what peers' requests and responses may change.
// Sans-IO and timer-free; net thread. The node owns the ContactList and lends it here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/contacts.hpp"
#include "app/control_messages.hpp"
#include "net/expected.hpp"
#include "net/identity.hpp"
#include "net/user_id.hpp"

namespace koe {

// Requests from strangers waiting for the user; more are ignored until some are answered.
inline constexpr size_t kMaxPendingIncomingRequests = 100;

enum class ContactRequestErrorKind : uint8_t {
  kInvalidId,       // see id_error: e.g. a mistyped character fails the checksum
  kSelf,            // the user's own ID
  kBlocked,         // the user blocked this ID; unblock it first
  kAlreadyContact,  // accepted already
  kBadMessage,      // the note is longer than kMaxContactRequestMessageBytes or not text
  kListFull,        // kMaxContacts reached
};

struct ContactRequestError {
  ContactRequestErrorKind kind;
  UserIdError id_error{UserIdErrorKind::kEmpty};  // kInvalidId only

  // One sentence for the user.
  std::string message() const;
};

struct ContactEvent {
  enum class Kind : uint8_t {
    kRequestReceived,  // a new request waits for the user (ContactEntry holds name and note)
    kAccepted,         // the peer accepted ours, or both asked each other
    kDeclined,         // the peer declined ours; the entry is gone
  };
  Kind kind;
  NodeId peer;
};

class ContactRequests {
 public:
  // `display_name` is what peers are told we are called; it must pass validate_settings.
  ContactRequests(ContactList& contacts, const NodeId& self, std::string display_name);
  void set_display_name(std::string display_name) { display_name_ = std::move(display_name); }

  // User commands. send_request parses `user_id` (koe1...) and asks that node; asking
  // again while a request is pending repeats it with the new note.
  Expected<NodeId, ContactRequestError> send_request(std::string_view user_id, std::string_view message);
  // A pending incoming request: accepted (both now contacts) or declined (forgotten; the
  // peer may ask again). false if there is no such request.
  bool accept(const NodeId& peer);
  bool decline(const NodeId& peer);
  // Any ID, known or not: its requests, calls and presence are ignored from now on.
  // The peer is not told. false if it was blocked already or the list is full.
  bool block(const NodeId& peer);
  // Forgets a block. false if the ID was not blocked.
  bool unblock(const NodeId& peer);
  // Forgets a contact or request (not a block: see unblock). false if unknown.
  bool remove(const NodeId& peer);

  // From peers, authenticated by their session.
  void on_request(const NodeId& from, const ContactRequest& request);
  void on_response(const NodeId& from, const ContactResponse& response);

  std::vector<OutgoingControl> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<ContactEvent> take_events() { return std::exchange(events_, {}); }
  // True once the list changed since the last call: time to save contacts.json.
  bool take_changed() { return std::exchange(changed_, false); }
  // Peer messages dropped: from blocked IDs, unsolicited responses, over the limits.
  uint64_t ignored() const { return ignored_; }

 private:
  bool put(ContactEntry contact);
  void respond(const NodeId& peer, bool accepted);
  void ignore() { ++ignored_; }

  ContactList& contacts_;
  NodeId self_;
  std::string display_name_;
  std::vector<OutgoingControl> outbox_;
  std::vector<ContactEvent> events_;
  bool changed_ = false;
  uint64_t ignored_ = 0;
};

}  // namespace koe
