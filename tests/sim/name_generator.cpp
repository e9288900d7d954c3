#include "tests/sim/name_generator.hpp"

#include <array>
#include <string_view>

#include "index/unicode_fold.hpp"

namespace koe::sim {

namespace {

constexpr std::array<std::string_view, 48> kSyllables{
    "ka", "ri", "mo", "se", "ta", "lu", "ne", "vi", "do", "ra", "shi", "an", "el", "or", "mi", "ko",
    "ba", "zu", "fe", "li", "go", "pe", "ha", "ti", "no", "sa", "ve", "ju", "ro", "de", "ma", "ya",
    "ken", "tor", "lin", "mar", "val", "dra", "sten", "bel", "gar", "fin", "ost", "rum", "tal", "wen", "is", "ul"};
constexpr std::array<std::string_view, 24> kFamilyKanji{
    "山田", "田中", "佐藤", "鈴木", "高橋", "伊藤", "渡辺", "中村", "小林", "加藤", "吉田", "山本",
    "松本", "井上", "木村", "林",   "斎藤", "清水", "山口", "森",   "池田", "橋本", "阿部", "石川"};
constexpr std::array<std::string_view, 24> kGivenKanji{
    "太郎", "花子", "健", "美咲", "翔太", "陽菜", "大輔", "さくら", "拓也", "由美", "直樹", "愛",
    "ゆうき", "ハルト", "結衣", "蓮", "優子", "誠", "真央", "悠斗", "彩", "亮", "舞", "浩二"};
constexpr std::array<std::string_view, 12> kCyrillic{"Иван", "Ольга", "Пётр", "Анна", "Сергей", "Мария",
                                                    "Дмитрий", "Елена", "Алексей", "Наталья", "Борис", "Юлия"};
constexpr std::array<std::string_view, 10> kGreek{"Νίκος", "Μαρία", "Γιώργος", "Ελένη", "Δημήτρης",
                                                  "Σοφία", "Κώστας", "Άννα", "Γιάννης", "Ζωή"};

}  // namespace

std::string NameGenerator::next() {
  auto pick = [&](const auto& list) { return std::string(list[random_.uniform(list.size())]); };
  auto pseudo_word = [&] {
    std::string word;
    const uint64_t syllables = 2 + random_.uniform(3);
    for (uint64_t i = 0; i < syllables; ++i) word += pick(kSyllables);
    word[0] = static_cast<char>(word[0] - 'a' + 'A');
    return word;
  };
  const uint64_t script = random_.uniform(100);
  if (script < 10) return pick(kFamilyKanji) + (random_.uniform(2) ? " " : "") + pick(kGivenKanji);
  if (script < 14) return pick(kCyrillic) + " " + pseudo_word();
  if (script < 17) return pick(kGreek) + " " + pseudo_word();
  return pseudo_word() + " " + pseudo_word();
}

std::string NameGenerator::query_for(const std::string& name) {
  const auto space = name.find(' ');
  if (space == std::string::npos || random_.uniform(4) != 0) return name;
  // First word cut to a prefix of 3-5 characters, then the second word.
  const std::u32string first = unicode::decode_utf8(std::string_view(name).substr(0, space));
  const size_t keep = std::min<size_t>(first.size(), 3 + random_.uniform(3));
  return unicode::encode_utf8(std::u32string_view(first).substr(0, keep)) + name.substr(space);
}

}  // namespace koe::sim
