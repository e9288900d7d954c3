// ContactList: the user's contacts (accepted, requests either way, blocked IDs) and
// their file, contacts.json in the profile. A plain model with no threads of its own:
// the node owns it and changes it on the net thread (through ContactRequests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/control_messages.hpp"
#include "app/profile_json_file.hpp"
#include "net/identity.hpp"

namespace koe {

inline constexpr const char* kContactsFileName = "contacts.json";
inline constexpr size_t kMaxContacts = 1000;

enum class ContactState : uint8_t {
  kRequestSent,      // we asked them; waiting for their answer
  kRequestReceived,  // they asked us; waiting for the user
  kAccepted,         // both agreed: presence is shared and calls are allowed
  kBlocked,          // may neither call nor request again; their messages are ignored
};

// "request_sent", "request_received", "accepted", "blocked".
std::string_view to_string(ContactState state);
std::optional<ContactState> parse_contact_state(std::string_view text);

// One person in the list (named ContactEntry: index/contact.hpp's Contact is an overlay node).
struct ContactEntry {
  NodeId id;
  ContactState state = ContactState::kRequestSent;
  std::string display_name;  // as they told us, at most kMaxPeerDisplayNameBytes; may be empty
  std::string message;       // the request's note (theirs or ours), at most kMaxContactRequestMessageBytes
  friend bool operator==(const ContactEntry&, const ContactEntry&) = default;
};

class ContactList {
 public:
  // In the order they were first added.
  const std::vector<ContactEntry>& all() const { return contacts_; }
  size_t size() const { return contacts_.size(); }
  const ContactEntry* find(const NodeId& id) const;
  bool is_accepted(const NodeId& id) const;
  bool is_blocked(const NodeId& id) const;
  size_t count(ContactState state) const;

  // Adds `contact`, or replaces the entry with its ID in place. false (and no change)
  // when the list is full and the ID is new, or a text field is too long or not wire
  // text (well-formed UTF-8 without U+0000): the list always saves and reloads.
  bool put(ContactEntry contact);
  bool remove(const NodeId& id);

  friend bool operator==(const ContactList&, const ContactList&) = default;

 private:
  std::vector<ContactEntry> contacts_;
};

// contacts.json's text: {"format": "koe-contacts", "version": 1, "contacts": [{"id":
// "koe1...", "state": "accepted", "display_name": "...", "message": "..."}, ...]}.
std::string encode_contacts(const ContactList& contacts);
// Every ID must pass its checksum; duplicates, unknown states, over-long or non-text
// strings and more than kMaxContacts entries are refused, naming the entry.
Expected<ContactList, ParseProblem> parse_contacts(std::string_view text);

// A missing file is an empty list; a corrupt one is set aside (see load_profile_file).
Expected<LoadedProfileFile<ContactList>, FileError> load_contacts(const std::filesystem::path& path);
// Atomically, mode 0600.
std::optional<FileError> save_contacts(const std::filesystem::path& path, const ContactList& contacts);

}  // namespace koe
