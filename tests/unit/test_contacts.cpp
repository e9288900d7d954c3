// ContactList and contacts.json: the model's rules, a faithful round trip, IDs checked
// by their checksum, private atomic saves, and a corrupt file reported and kept.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "app/contacts.hpp"
#include "net/user_id.hpp"
#include "tests/unit/app_test_support.hpp"

namespace koe {
namespace {

namespace fs = std::filesystem;
using test::test_node_id;

ContactList sample_list() {
  ContactList list;
  EXPECT_TRUE(list.put({test_node_id(1), ContactState::kAccepted, "Ana", "hi from the choir"}));
  EXPECT_TRUE(list.put({test_node_id(2), ContactState::kRequestSent, "", "it's Bo"}));
  EXPECT_TRUE(list.put({test_node_id(3), ContactState::kRequestReceived, "Cé \"Q\" 声", "line\nbreak"}));
  EXPECT_TRUE(list.put({test_node_id(4), ContactState::kBlocked, "spam", ""}));
  return list;
}

std::string contacts_json(std::string_view entries) {
  return R"({"format": "koe-contacts", "version": 1, "contacts": [)" + std::string(entries) + "]}";
}

std::string entry_json(std::string_view id, std::string_view state = "accepted") {
  return R"({"id": ")" + std::string(id) + R"(", "state": ")" + std::string(state) + R"("})";
}

TEST(ContactList, PutFindReplaceAndRemove) {
  ContactList list = sample_list();
  EXPECT_EQ(list.size(), 4u);
  ASSERT_NE(list.find(test_node_id(1)), nullptr);
  EXPECT_EQ(list.find(test_node_id(1))->display_name, "Ana");
  EXPECT_EQ(list.find(test_node_id(9)), nullptr);
  EXPECT_TRUE(list.is_accepted(test_node_id(1)));
  EXPECT_FALSE(list.is_accepted(test_node_id(2)));
  EXPECT_TRUE(list.is_blocked(test_node_id(4)));
  EXPECT_FALSE(list.is_blocked(test_node_id(9)));
  EXPECT_EQ(list.count(ContactState::kRequestReceived), 1u);

  // Replacing keeps the position.
  EXPECT_TRUE(list.put({test_node_id(2), ContactState::kAccepted, "Bo", ""}));
  EXPECT_EQ(list.size(), 4u);
  EXPECT_EQ(list.all()[1].state, ContactState::kAccepted);

  EXPECT_TRUE(list.remove(test_node_id(2)));
  EXPECT_FALSE(list.remove(test_node_id(2)));
  EXPECT_EQ(list.size(), 3u);
}

TEST(ContactList, RefusesTextThatCouldNotBeSavedAndStopsAtTheLimit) {
  ContactList list;
  EXPECT_FALSE(
      list.put({test_node_id(1), ContactState::kAccepted, std::string(kMaxPeerDisplayNameBytes + 1, 'a'), ""}));
  EXPECT_FALSE(
      list.put({test_node_id(1), ContactState::kAccepted, "", std::string(kMaxContactRequestMessageBytes + 1, 'a')}));
  EXPECT_FALSE(list.put({test_node_id(1), ContactState::kAccepted, "\xff", ""}));
  EXPECT_FALSE(list.put({test_node_id(1), ContactState::kAccepted, std::string("a\0b", 3), ""}));
  EXPECT_EQ(list.size(), 0u);

  for (size_t i = 0; i < kMaxContacts; ++i) {
    NodeId id;
    id.bytes[0] = static_cast<uint8_t>(i);
    id.bytes[1] = static_cast<uint8_t>(i >> 8);
    ASSERT_TRUE(list.put({id, ContactState::kAccepted, "", ""}));
  }
  EXPECT_FALSE(list.put({test_node_id(0xEE), ContactState::kAccepted, "", ""}));
  EXPECT_EQ(list.size(), kMaxContacts);
  // Replacing an existing entry still works when full.
  EXPECT_TRUE(list.put({list.all()[0].id, ContactState::kBlocked, "", ""}));
}

TEST(ContactsFile, EncodeThenParseGivesTheSameList) {
  const ContactList list = sample_list();
  const std::string text = encode_contacts(list);
  EXPECT_NE(text.find(to_user_id(test_node_id(1))), std::string::npos) << "IDs are stored in their koe1 form";
  auto parsed = parse_contacts(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, list);
}

TEST(ContactsFile, AMistypedIdIsRefusedByItsChecksum) {
  std::string id = to_user_id(test_node_id(7));
  id[10] = id[10] == 'q' ? 'p' : 'q';
  auto parsed = parse_contacts(contacts_json(entry_json(id)));
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("contact 1"), std::string::npos) << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("checksum"), std::string::npos) << parsed.error().message;
  EXPECT_FALSE(parsed.error().written_by_newer);
}

TEST(ContactsFile, MalformedDocumentsAreRefusedWithAReason) {
  const std::string a = to_user_id(test_node_id(1));
  const std::string b = to_user_id(test_node_id(2));
  const std::pair<std::string, std::string> cases[] = {
      {"", "not valid JSON"},
      {"[1, 2]", "JSON object"},
      {R"({"format": "koe-settings", "version": 1, "contacts": []})", "koe-contacts"},
      {R"({"format": "koe-contacts", "contacts": []})", "version"},
      {R"({"format": "koe-contacts", "version": 0, "contacts": []})", "version"},
      {R"({"format": "koe-contacts", "version": 1})", "\"contacts\""},
      {contacts_json("3"), "contact 1: should be a JSON object"},
      {contacts_json(entry_json(a) + "," + entry_json(a)), "contact 2: the same ID is listed twice"},
      {contacts_json(entry_json(a) + "," + entry_json(b, "friend")), "contact 2: \"state\""},
      {contacts_json(R"({"state": "accepted"})"), "\"id\""},
      {contacts_json(R"({"id": ")" + a + R"(", "state": "accepted", "display_name": 5})"), "\"display_name\""},
      {contacts_json(R"({"id": ")" + a + R"(", "state": "accepted", "message": ")" +
                     std::string(kMaxContactRequestMessageBytes + 1, 'm') + "\"}"),
       "\"message\""},
      {contacts_json(R"({"id": ")" + a + R"(", "state": "accepted", "display_name": "a\u0000b"})"), "\"display_name\""},
  };
  for (const auto& [text, fragment] : cases) {
    auto parsed = parse_contacts(text);
    ASSERT_FALSE(parsed) << text;
    EXPECT_NE(parsed.error().message.find(fragment), std::string::npos)
        << text << "\n  gave: " << parsed.error().message;
  }
}

TEST(ContactsFile, ANewerVersionIsFlaggedSoItIsNotSetAside) {
  auto parsed = parse_contacts(R"({"format": "koe-contacts", "version": 2, "contacts": []})");
  ASSERT_FALSE(parsed);
  EXPECT_TRUE(parsed.error().written_by_newer);
  EXPECT_NE(parsed.error().message.find("newer"), std::string::npos);
}

TEST(ContactsFile, MissingFieldsTakeDefaultsAndUnknownOnesAreIgnored) {
  const std::string a = to_user_id(test_node_id(1));
  auto parsed = parse_contacts(contacts_json(R"({"id": ")" + a + R"(", "state": "blocked", "note": 1})"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ(parsed->all()[0], (ContactEntry{test_node_id(1), ContactState::kBlocked, "", ""}));
}

class ContactsStore : public ::testing::Test {
 protected:
  void SetUp() override { old_umask_ = ::umask(0); }  // the file mode must come from us, not the umask
  void TearDown() override { ::umask(old_umask_); }
  fs::path path() const { return dir_.path() / kContactsFileName; }

  test::ScopedTempDir dir_;
  mode_t old_umask_ = 0;
};

TEST_F(ContactsStore, AMissingFileIsAnEmptyList) {
  auto loaded = load_contacts(path());
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->value.size(), 0u);
  EXPECT_FALSE(loaded->warning);
  EXPECT_FALSE(fs::exists(path())) << "loading alone writes nothing";
}

TEST_F(ContactsStore, SavesPrivatelyAndAtomicallyAndReloads) {
  const ContactList list = sample_list();
  ASSERT_FALSE(save_contacts(path(), list));
  EXPECT_EQ(test::permissions_of(path()), 0600u);
  EXPECT_EQ(test::files_in(dir_.path()), 1u) << "no temporary file is left behind";

  auto loaded = load_contacts(path());
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->value, list);
  EXPECT_FALSE(loaded->warning);

  ContactList smaller = list;
  smaller.remove(test_node_id(1));
  ASSERT_FALSE(save_contacts(path(), smaller));
  EXPECT_EQ(load_contacts(path())->value, smaller);
}

TEST_F(ContactsStore, ACorruptFileIsReportedAndKeptAside) {
  const std::string garbage = "{\"format\": \"koe-contacts\", \"version\": 1, \"contacts\": [ {tru";
  test::write_text(path(), garbage);
  auto loaded = load_contacts(path());
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->value.size(), 0u);
  ASSERT_TRUE(loaded->warning);
  const fs::path kept = dir_.path() / "contacts.json.corrupt";
  EXPECT_NE(loaded->warning->find(path().string()), std::string::npos) << *loaded->warning;
  EXPECT_NE(loaded->warning->find(kept.string()), std::string::npos) << *loaded->warning;
  EXPECT_EQ(test::read_text(kept), garbage);
  EXPECT_FALSE(fs::exists(path()));

  // Saving the fresh list never touches the kept copy; a second corrupt file gets its own name.
  ASSERT_FALSE(save_contacts(path(), sample_list()));
  EXPECT_EQ(test::read_text(kept), garbage);
  test::write_text(path(), "second");
  loaded = load_contacts(path());
  ASSERT_TRUE(loaded);
  EXPECT_EQ(test::read_text(dir_.path() / "contacts.json.corrupt-2"), "second");
  EXPECT_EQ(test::read_text(kept), garbage);
}

TEST_F(ContactsStore, ANewerVersionsFileIsAnErrorAndLeftInPlace) {
  const std::string newer = R"({"format": "koe-contacts", "version": 9, "contacts": []})";
  test::write_text(path(), newer);
  auto loaded = load_contacts(path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().path, path());
  EXPECT_NE(loaded.error().message().find("newer"), std::string::npos);
  EXPECT_EQ(test::read_text(path()), newer);
  EXPECT_EQ(test::files_in(dir_.path()), 1u);
}

TEST_F(ContactsStore, AnUnreadablePathIsAnErrorNamingIt) {
  fs::create_directory(path());  // a directory where the file should be
  auto loaded = load_contacts(path());
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find(path().string()), std::string::npos);
  EXPECT_TRUE(fs::is_directory(path()));
}

}  // namespace
}  // namespace koe
