#include "app/contact_requests.hpp"

#include "net/utf8.hpp"

namespace koe {

std::string ContactRequestError::message() const {
  switch (kind) {
    case ContactRequestErrorKind::kInvalidId:
      return id_error.message();
    case ContactRequestErrorKind::kSelf:
      return "that is your own ID";
    case ContactRequestErrorKind::kBlocked:
      return "you blocked this ID; unblock it first";
    case ContactRequestErrorKind::kAlreadyContact:
      return "this ID is already one of your contacts";
    case ContactRequestErrorKind::kBadMessage:
      return "the message should be text of at most " + std::to_string(kMaxContactRequestMessageBytes) + " bytes";
    case ContactRequestErrorKind::kListFull:
      return "your contact list is full (" + std::to_string(kMaxContacts) + " entries)";
  }
  return "cannot send the request";
}

ContactRequests::ContactRequests(ContactList& contacts, const NodeId& self, std::string display_name)
    : contacts_(contacts), self_(self), display_name_(std::move(display_name)) {}

Expected<NodeId, ContactRequestError> ContactRequests::send_request(std::string_view user_id,
                                                                    std::string_view message) {
  auto id = parse_user_id(user_id);
  if (!id) return Failure{ContactRequestError{ContactRequestErrorKind::kInvalidId, id.error()}};
  const NodeId peer = *id;
  if (peer == self_) return Failure{ContactRequestError{ContactRequestErrorKind::kSelf}};
  if (message.size() > kMaxContactRequestMessageBytes || !is_valid_wire_text(message)) {
    return Failure{ContactRequestError{ContactRequestErrorKind::kBadMessage}};
  }
  const ContactEntry* existing = contacts_.find(peer);
  if (existing != nullptr) {
    if (existing->state == ContactState::kBlocked) {
      return Failure{ContactRequestError{ContactRequestErrorKind::kBlocked}};
    }
    if (existing->state == ContactState::kAccepted) {
      return Failure{ContactRequestError{ContactRequestErrorKind::kAlreadyContact}};
    }
    // They asked us already: asking back is agreeing.
    if (existing->state == ContactState::kRequestReceived) {
      accept(peer);
      return peer;
    }
  }
  if (!put(ContactEntry{peer, ContactState::kRequestSent, existing ? existing->display_name : std::string(),
                        std::string(message)})) {
    return Failure{ContactRequestError{ContactRequestErrorKind::kListFull}};
  }
  outbox_.push_back({peer, ContactRequest{display_name_, std::string(message)}});
  return peer;
}

bool ContactRequests::accept(const NodeId& peer) {
  const ContactEntry* existing = contacts_.find(peer);
  if (existing == nullptr || existing->state != ContactState::kRequestReceived) return false;
  ContactEntry contact = *existing;
  contact.state = ContactState::kAccepted;
  put(std::move(contact));  // replaces in place: cannot fail
  respond(peer, true);
  return true;
}

bool ContactRequests::decline(const NodeId& peer) {
  const ContactEntry* existing = contacts_.find(peer);
  if (existing == nullptr || existing->state != ContactState::kRequestReceived) return false;
  contacts_.remove(peer);
  changed_ = true;
  respond(peer, false);
  return true;
}

bool ContactRequests::block(const NodeId& peer) {
  const ContactEntry* existing = contacts_.find(peer);
  if (existing != nullptr && existing->state == ContactState::kBlocked) return false;
  // The name stays so the user can recognise whom they blocked; the note goes.
  return put(ContactEntry{peer, ContactState::kBlocked, existing ? existing->display_name : std::string(), {}});
}

bool ContactRequests::unblock(const NodeId& peer) {
  if (!contacts_.is_blocked(peer)) return false;
  contacts_.remove(peer);
  changed_ = true;
  return true;
}

bool ContactRequests::remove(const NodeId& peer) {
  const ContactEntry* existing = contacts_.find(peer);
  if (existing == nullptr || existing->state == ContactState::kBlocked) return false;
  contacts_.remove(peer);
  changed_ = true;
  return true;
}

void ContactRequests::on_request(const NodeId& from, const ContactRequest& request) {
  if (from == self_) return ignore();
  const ContactEntry* existing = contacts_.find(from);
  if (existing == nullptr) {
    if (contacts_.count(ContactState::kRequestReceived) >= kMaxPendingIncomingRequests) return ignore();
    if (!put(ContactEntry{from, ContactState::kRequestReceived, request.display_name, request.message}))
      return ignore();
    events_.push_back({ContactEvent::Kind::kRequestReceived, from});
    return;
  }
  switch (existing->state) {
    case ContactState::kBlocked:
      return ignore();
    case ContactState::kRequestReceived:
      // Asked again while waiting: keep the newest name and note, but do not nag the user.
      put(ContactEntry{from, ContactState::kRequestReceived, request.display_name, request.message});
      return;
    case ContactState::kRequestSent:
      // Both asked: agreed.
      put(ContactEntry{from, ContactState::kAccepted, request.display_name, existing->message});
      respond(from, true);
      events_.push_back({ContactEvent::Kind::kAccepted, from});
      return;
    case ContactState::kAccepted:
      // They lost us (a new profile, a removed entry): confirm again.
      respond(from, true);
      return;
  }
}

void ContactRequests::on_response(const NodeId& from, const ContactResponse& response) {
  const ContactEntry* existing = contacts_.find(from);
  // Only an answer to our own pending request counts: an unsolicited "accepted" must
  // never make anyone a contact.
  if (existing == nullptr || existing->state != ContactState::kRequestSent) return ignore();
  if (response.accepted) {
    put(ContactEntry{from, ContactState::kAccepted, response.display_name, existing->message});
    events_.push_back({ContactEvent::Kind::kAccepted, from});
  } else {
    contacts_.remove(from);
    changed_ = true;
    events_.push_back({ContactEvent::Kind::kDeclined, from});
  }
}

bool ContactRequests::put(ContactEntry contact) {
  if (!contacts_.put(std::move(contact))) return false;
  changed_ = true;
  return true;
}

void ContactRequests::respond(const NodeId& peer, bool accepted) {
  outbox_.push_back({peer, ContactResponse{accepted, display_name_}});
}

}  // namespace koe
