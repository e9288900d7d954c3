#include "app/contacts.hpp"

#include <algorithm>

#include "net/user_id.hpp"
#include "net/utf8.hpp"

namespace koe {

namespace {

constexpr std::string_view kFormat = "koe-contacts";
constexpr int kVersion = 1;
// Room for kMaxContacts entries even if every text byte were written as a \u escape.
constexpr size_t kMaxFileSize = 4 << 20;

bool is_text_within(std::string_view text, size_t max_bytes) {
  return text.size() <= max_bytes && is_valid_wire_text(text);
}

bool has_valid_text(const ContactEntry& contact) {
  return is_text_within(contact.display_name, kMaxPeerDisplayNameBytes) &&
         is_text_within(contact.message, kMaxContactRequestMessageBytes);
}

std::string entry_problem(size_t index, std::string_view what) {
  return "contact " + std::to_string(index + 1) + ": " + std::string(what);
}

// An optional text member: absent is empty; otherwise a string of at most `max_bytes`.
std::optional<std::string> text_member(const nlohmann::json& entry, const char* key, size_t max_bytes) {
  const auto found = entry.find(key);
  if (found == entry.end()) return std::string();
  if (!found->is_string()) return std::nullopt;
  const auto& text = found->get_ref<const std::string&>();
  if (!is_text_within(text, max_bytes)) return std::nullopt;
  return text;
}

Expected<ContactEntry, std::string> parse_entry(const nlohmann::json& entry) {
  if (!entry.is_object()) return Failure{std::string("should be a JSON object")};
  const auto id_field = entry.find("id");
  if (id_field == entry.end() || !id_field->is_string()) {
    return Failure{std::string("\"id\" should be a Koe ID (koe1...)")};
  }
  auto id = parse_user_id(id_field->get_ref<const std::string&>());
  if (!id) return Failure{"\"id\": " + id.error().message()};

  const auto state_field = entry.find("state");
  const auto state = state_field != entry.end() && state_field->is_string()
                         ? parse_contact_state(state_field->get_ref<const std::string&>())
                         : std::nullopt;
  if (!state) {
    return Failure{
        std::string("\"state\" should be \"request_sent\", \"request_received\", \"accepted\" or \"blocked\"")};
  }
  auto display_name = text_member(entry, "display_name", kMaxPeerDisplayNameBytes);
  if (!display_name) {
    return Failure{"\"display_name\" should be text of at most " + std::to_string(kMaxPeerDisplayNameBytes) + " bytes"};
  }
  auto message = text_member(entry, "message", kMaxContactRequestMessageBytes);
  if (!message) {
    return Failure{"\"message\" should be text of at most " + std::to_string(kMaxContactRequestMessageBytes) +
                   " bytes"};
  }
  return ContactEntry{*id, *state, std::move(*display_name), std::move(*message)};
}

}  // namespace

std::string_view to_string(ContactState state) {
  switch (state) {
    case ContactState::kRequestSent:
      return "request_sent";
    case ContactState::kRequestReceived:
      return "request_received";
    case ContactState::kAccepted:
      return "accepted";
    case ContactState::kBlocked:
      return "blocked";
  }
  return "blocked";
}

std::optional<ContactState> parse_contact_state(std::string_view text) {
  for (auto state :
       {ContactState::kRequestSent, ContactState::kRequestReceived, ContactState::kAccepted, ContactState::kBlocked}) {
    if (text == to_string(state)) return state;
  }
  return std::nullopt;
}

const ContactEntry* ContactList::find(const NodeId& id) const {
  const auto it = std::find_if(contacts_.begin(), contacts_.end(), [&](const ContactEntry& c) { return c.id == id; });
  return it == contacts_.end() ? nullptr : &*it;
}

bool ContactList::is_accepted(const NodeId& id) const {
  const ContactEntry* contact = find(id);
  return contact != nullptr && contact->state == ContactState::kAccepted;
}

bool ContactList::is_blocked(const NodeId& id) const {
  const ContactEntry* contact = find(id);
  return contact != nullptr && contact->state == ContactState::kBlocked;
}

size_t ContactList::count(ContactState state) const {
  return static_cast<size_t>(
      std::count_if(contacts_.begin(), contacts_.end(), [&](const ContactEntry& c) { return c.state == state; }));
}

bool ContactList::put(ContactEntry contact) {
  if (!has_valid_text(contact)) return false;
  const auto it =
      std::find_if(contacts_.begin(), contacts_.end(), [&](const ContactEntry& c) { return c.id == contact.id; });
  if (it != contacts_.end()) {
    *it = std::move(contact);
    return true;
  }
  if (contacts_.size() >= kMaxContacts) return false;
  contacts_.push_back(std::move(contact));
  return true;
}

bool ContactList::remove(const NodeId& id) {
  return std::erase_if(contacts_, [&](const ContactEntry& c) { return c.id == id; }) > 0;
}

std::string encode_contacts(const ContactList& contacts) {
  auto document = new_json_document(kFormat, kVersion);
  auto entries = nlohmann::ordered_json::array();
  for (const ContactEntry& c : contacts.all()) {
    entries.push_back({{"id", to_user_id(c.id)},
                       {"state", std::string(to_string(c.state))},
                       {"display_name", c.display_name},
                       {"message", c.message}});
  }
  document["contacts"] = std::move(entries);
  return document.dump(2) + "\n";
}

Expected<ContactList, ParseProblem> parse_contacts(std::string_view text) {
  auto document = parse_json_document(text, kFormat, kVersion);
  if (!document) return Failure{document.error()};
  const auto entries = document->find("contacts");
  if (entries == document->end() || !entries->is_array()) {
    return Failure{ParseProblem{"\"contacts\" should be a list ([...])"}};
  }
  if (entries->size() > kMaxContacts) {
    return Failure{ParseProblem{"holds " + std::to_string(entries->size()) + " contacts; at most " +
                                std::to_string(kMaxContacts) + " are allowed"}};
  }
  ContactList contacts;
  for (size_t i = 0; i < entries->size(); ++i) {
    auto contact = parse_entry((*entries)[i]);
    if (!contact) return Failure{ParseProblem{entry_problem(i, contact.error())}};
    if (contacts.find(contact->id) != nullptr) {
      return Failure{ParseProblem{entry_problem(i, "the same ID is listed twice")}};
    }
    contacts.put(std::move(contact).value());
  }
  return contacts;
}

Expected<LoadedProfileFile<ContactList>, FileError> load_contacts(const std::filesystem::path& path) {
  return load_profile_file<ContactList>(path, kMaxFileSize, parse_contacts);
}

std::optional<FileError> save_contacts(const std::filesystem::path& path, const ContactList& contacts) {
  return write_profile_text(path, encode_contacts(contacts));
}

}  // namespace koe
