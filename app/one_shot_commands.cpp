#include "app/one_shot_commands.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/contact_requests.hpp"
#include "app/contacts.hpp"
#include "app/headless.hpp"
#include "app/node.hpp"
#include "net/random.hpp"
#include "net/user_id.hpp"

namespace koe {

namespace {

constexpr int kExitFailure = 1;
constexpr Duration kOnlineTimeout = std::chrono::seconds(20);
constexpr Duration kSearchTimeout = std::chrono::seconds(20);
constexpr int kPortAttempts = 8;

void print_json_line(const nlohmann::ordered_json& line) { std::printf("%s\n", line.dump().c_str()); }

}  // namespace

int run_search(const Profile& profile, const CliOptions& options) {
  auto config = headless_node_config(profile, options);
  if (!config) {
    std::fprintf(stderr, "koe: %s\n", config.error().c_str());
    return kExitFailure;
  }
  // A client for a moment: it must not start a network of its own, and must not take
  // the port of a node already running with this profile.
  config->supernode_mode = SupernodeMode::kDisabled;
  SystemRandom random;
  std::unique_ptr<Node> node;
  std::string error;
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    config->bind.port = static_cast<uint16_t>(49152 + random.uniform(16383));
    node = std::make_unique<Node>(*config);
    if ((error = node->start()).empty()) break;
  }
  if (!error.empty()) {
    std::fprintf(stderr, "koe: %s\n", error.c_str());
    return kExitFailure;
  }
  const AppSnapshot online =
      node->wait_until([](const AppSnapshot& s) { return s.network == NetworkState::kOnline; }, kOnlineTimeout);
  if (online.network != NetworkState::kOnline) {
    std::fprintf(stderr, "koe: search failed: not online (%s)\n",
                 online.network_detail.empty() ? "no supernode answered" : online.network_detail.c_str());
    return kExitFailure;
  }
  node->command(command::Search{options.query});
  const AppSnapshot done = node->wait_until(
      [&](const AppSnapshot& s) { return s.search.query == options.query && s.search.done; }, kSearchTimeout);
  if (!done.search.done || !done.search.error.empty()) {
    std::fprintf(stderr, "koe: search failed: %s\n", done.search.done ? done.search.error.c_str() : "timed out");
    return kExitFailure;
  }
  for (const auto& hit : done.search.hits) print_json_line({{"id", hit.user_id}, {"display_name", hit.display_name}});
  return 0;
}

int run_contacts(const Profile& profile, const CliOptions& options) {
  const auto path = profile.dir() / kContactsFileName;
  auto loaded = load_contacts(path);
  if (!loaded) {
    std::fprintf(stderr, "koe: %s\n", loaded.error().message().c_str());
    return kExitFailure;
  }
  if (loaded->warning) std::fprintf(stderr, "koe: %s\n", loaded->warning->c_str());
  ContactList contacts = std::move(loaded->value);
  if (options.contacts_action == ContactsAction::kList) {
    for (const auto& contact : contacts.all())
      print_json_line({{"id", to_user_id(contact.id)},
                       {"state", to_string(contact.state)},
                       {"display_name", contact.display_name},
                       {"message", contact.message}});
    return 0;
  }
  ContactRequests requests(contacts, profile.identity().node_id(), profile.settings().display_name);
  std::string problem;
  if (options.contacts_action == ContactsAction::kAdd) {
    auto sent = requests.send_request(options.contact_id, options.message);
    if (!sent) problem = sent.error().message();
  } else {
    auto id = parse_user_id(options.contact_id);
    if (!id) {
      problem = id.error().message();
    } else if (options.contacts_action == ContactsAction::kRemove) {
      if (!requests.remove(*id)) problem = "not in the contact list";
    } else if (!requests.block(*id)) {
      problem = "already blocked, or the list is full";
    }
  }
  if (!problem.empty()) {
    std::fprintf(stderr, "koe: %s: %s\n", options.contact_id.c_str(), problem.c_str());
    return kExitFailure;
  }
  if (auto error = save_contacts(path, contacts)) {
    std::fprintf(stderr, "koe: %s\n", error->message().c_str());
    return kExitFailure;
  }
  return 0;
}

}  // namespace koe
