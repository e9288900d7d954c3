// Name search: Unicode folding, splitting, the keywords a name is indexed
// under, query parsing and matching (Latin, Greek, Cyrillic, Japanese).
#include <gtest/gtest.h>

#include <algorithm>

#include "index/name_search.hpp"
#include "index/unicode_fold.hpp"

namespace koe {
namespace {

std::vector<std::string> words(std::string_view name) {
  std::vector<std::string> out;
  for (const auto& t : split_name(name)) out.push_back(unicode::encode_utf8(t.text));
  return out;
}

bool indexed_under(std::string_view name, std::string_view keyword) {
  const auto keys = name_keywords(name);
  return std::find(keys.begin(), keys.end(), keyword) != keys.end();
}

// What a search does: look the query's keyword (or its fallback) up, then filter.
bool findable(std::string_view name, std::string_view query) {
  const auto q = parse_name_query(query);
  if (!q) return false;
  const bool reached = indexed_under(name, q->keyword) || (q->fallback_keyword && indexed_under(name, *q->fallback_keyword));
  return reached && name_matches(*q, name);
}

TEST(UnicodeFold, DecodesAndEncodesUtf8RoundTrip) {
  const std::string text = "Aé山𝄞";
  const auto cps = unicode::decode_utf8(text);
  EXPECT_EQ(cps, (std::u32string{U'A', U'é', U'山', U'𝄞'}));
  EXPECT_EQ(unicode::encode_utf8(cps), text);
}

TEST(UnicodeFold, IllFormedBytesBecomeReplacementCharacters) {
  EXPECT_EQ(unicode::decode_utf8("a\xC0\xAF" "b"), (std::u32string{U'a', 0xFFFD, 0xFFFD, U'b'}));
  EXPECT_EQ(unicode::decode_utf8("\xED\xA0\x80"), (std::u32string{0xFFFD, 0xFFFD, 0xFFFD}));  // a surrogate
  EXPECT_EQ(unicode::decode_utf8("\xE3\x81"), (std::u32string{0xFFFD, 0xFFFD}));              // truncated
}

TEST(UnicodeFold, FoldsLatinGreekAndCyrillicCase) {
  EXPECT_EQ(unicode::fold_case(U'Q'), U'q');
  EXPECT_EQ(unicode::fold_case(U'É'), U'é');
  EXPECT_EQ(unicode::fold_case(U'Ł'), U'ł');
  EXPECT_EQ(unicode::fold_case(U'Ž'), U'ž');
  EXPECT_EQ(unicode::fold_case(U'Ÿ'), U'ÿ');
  EXPECT_EQ(unicode::fold_case(U'Σ'), U'σ');
  EXPECT_EQ(unicode::fold_case(U'ς'), U'σ');
  EXPECT_EQ(unicode::fold_case(U'Ά'), U'ά');
  EXPECT_EQ(unicode::fold_case(U'Я'), U'я');
  EXPECT_EQ(unicode::fold_case(U'Ё'), U'ё');
  EXPECT_EQ(unicode::fold_case(U'Ґ'), U'ґ');
  EXPECT_EQ(unicode::fold_case(U'×'), U'×');
  EXPECT_EQ(unicode::fold_case(U'山'), U'山');
}

TEST(UnicodeFold, FoldsFullAndHalfWidthForms) {
  EXPECT_EQ(unicode::encode_utf8(unicode::fold_width(unicode::decode_utf8("ＡＢＣ１"))), "ABC1");
  EXPECT_EQ(unicode::encode_utf8(unicode::fold_width(unicode::decode_utf8("ﾔﾏﾀﾞ"))), "ヤマダ");
  EXPECT_EQ(unicode::encode_utf8(unicode::fold_width(unicode::decode_utf8("ﾊﾟﾝ"))), "パン");
  EXPECT_EQ(unicode::encode_utf8(unicode::fold_width(unicode::decode_utf8("ｳﾞ"))), "ヴ");
  // A combining voiced mark composes too (NFD input from some keyboards).
  EXPECT_EQ(unicode::encode_utf8(unicode::fold_width(unicode::decode_utf8("か\u3099"))), "が");
  EXPECT_EQ(unicode::encode_utf8(unicode::fold_width(unicode::decode_utf8("山\u3000田"))), "山 田");
}

TEST(NameSearch, SplitsAtSeparatorsAndScriptChanges) {
  EXPECT_EQ(words("  Anna-Maria  O'Neil "), (std::vector<std::string>{"anna", "maria", "o", "neil"}));
  EXPECT_EQ(words("John山田"), (std::vector<std::string>{"john", "山田"}));
  EXPECT_EQ(words("ジョン・スミス"), (std::vector<std::string>{"ジョン", "スミス"}));
  EXPECT_EQ(words("ＳＡＴＯ　太郎"), (std::vector<std::string>{"sato", "太郎"}));
  EXPECT_TRUE(split_name(" ,.!? ").empty());
}

TEST(NameSearch, IndexesWordsAndBoundedPrefixes) {
  const auto keys = name_keywords("Kalimo Serutan");
  EXPECT_EQ(keys, (std::vector<std::string>{"kalimo", "serutan", "kal", "kali", "ser", "seru"}));
  EXPECT_TRUE(indexed_under("Li Wu", "li"));
  EXPECT_FALSE(indexed_under("Kalimo", "ka"));  // prefixes shorter than three are not indexed
}

TEST(NameSearch, IndexesJapaneseByCharactersAndBigrams) {
  const auto keys = name_keywords("山田太郎");
  for (const char* k : {"山田", "田太", "太郎", "山", "田", "太", "郎"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
  }
}

TEST(NameSearch, CapsKeywordsPerName) {
  EXPECT_LE(name_keywords("alpha bravo charlie delta echo foxtrot golf hotel india juliet").size(), kMaxKeywordsPerName);
  EXPECT_LE(name_keywords("寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末").size(), kMaxKeywordsPerName);
}

TEST(NameSearch, JapaneseNamesAreFindable) {
  EXPECT_TRUE(findable("山田太郎", "山田"));
  EXPECT_TRUE(findable("山田太郎", "太郎"));
  EXPECT_TRUE(findable("山田 太郎", "山田太郎"));
  EXPECT_TRUE(findable("山田太郎", "山田太郎"));
  EXPECT_TRUE(findable("林", "林"));
  EXPECT_TRUE(findable("ヤマダ", "ﾔﾏﾀﾞ"));  // half-width input finds the full-width name
  EXPECT_FALSE(findable("山田太郎", "田中"));
}

TEST(NameSearch, WordsMatchCaseInsensitivelyAndByPrefix) {
  EXPECT_TRUE(findable("Kalimo Serutan", "kalimo"));
  EXPECT_TRUE(findable("Kalimo Serutan", "SERUTAN"));
  EXPECT_TRUE(findable("Kalimo Serutan", "kal seru"));
  EXPECT_TRUE(findable("Kalimo Serutan", "kalim"));  // past the longest indexed prefix: fallback
  EXPECT_TRUE(findable("Νίκος Παπαδόπουλος", "ΝΊΚΟΣ"));
  EXPECT_TRUE(findable("Иван Петров", "иван"));
  EXPECT_FALSE(findable("Kalimo Serutan", "kalimo smith"));
  EXPECT_FALSE(findable("Kalimo Serutan", "serutanx"));
}

TEST(NameSearch, QueryPicksItsMostSelectiveTerm) {
  auto q = parse_name_query("al Kalimoro");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->keyword, "kalimoro");
  EXPECT_EQ(q->fallback_keyword, std::optional<std::string>("kali"));
  q = parse_name_query("山 山田太郎");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->keyword, "山田");
}

TEST(NameSearch, RejectsEmptyAndOverlongQueries) {
  EXPECT_EQ(parse_name_query("  ,, ").error(), NameQueryError::kEmpty);
  EXPECT_EQ(parse_name_query(std::string(kMaxQueryBytes + 1, 'a')).error(), NameQueryError::kTooLong);
}

TEST(NameSearch, KeywordKeysAreDistinctAndStable) {
  EXPECT_EQ(keyword_key("abc"), keyword_key("abc"));
  EXPECT_NE(keyword_key("abc"), keyword_key("abd"));
}

}  // namespace
}  // namespace koe
