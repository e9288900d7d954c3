#include "ui/view_model.hpp"

#include <algorithm>
#include <cctype>

#include "net/user_id.hpp"

namespace koe::ui {

namespace {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

bool contact_order(const ContactView& a, const ContactView& b) {
  const bool a_here = a.presence != PresenceState::kOffline;
  const bool b_here = b.presence != PresenceState::kOffline;
  if (a_here != b_here) return a_here;
  const std::string a_key = ascii_lower(a.display_name.empty() ? a.user_id : a.display_name);
  const std::string b_key = ascii_lower(b.display_name.empty() ? b.user_id : b.display_name);
  if (a_key != b_key) return a_key < b_key;
  return a.user_id < b.user_id;
}

ContactGroups group_contacts(const std::vector<ContactView>& all) {
  ContactGroups groups;
  for (const ContactView& c : all) {
    switch (c.state) {
      case ContactState::kAccepted:
        groups.contacts.push_back(c);
        break;
      case ContactState::kRequestReceived:
        groups.requests_received.push_back(c);
        break;
      case ContactState::kRequestSent:
        groups.requests_sent.push_back(c);
        break;
      case ContactState::kBlocked:
        groups.blocked.push_back(c);
        break;
    }
  }
  for (auto* group : {&groups.contacts, &groups.requests_received, &groups.requests_sent, &groups.blocked})
    std::sort(group->begin(), group->end(), contact_order);
  return groups;
}

const ContactView* find_contact(const std::vector<ContactView>& all, std::string_view user_id) {
  const auto it = std::find_if(all.begin(), all.end(), [&](const ContactView& c) { return c.user_id == user_id; });
  return it == all.end() ? nullptr : &*it;
}

SearchQuery classify_search(std::string_view typed) {
  SearchQuery query;
  const std::string_view text = trim(typed);
  query.text = std::string(text);
  if (text.empty()) return query;
  if (ascii_lower(text.substr(0, std::min<size_t>(4, text.size()))) != "koe1") {
    query.kind = SearchQuery::Kind::kName;
    return query;
  }
  auto id = parse_user_id(text);
  if (!id) {
    query.kind = SearchQuery::Kind::kBadUserId;
    query.error = id.error().message();
    return query;
  }
  query.kind = SearchQuery::Kind::kUserId;
  query.text = to_user_id(*id);
  return query;
}

void QualityHistory::update(const CallView& call) {
  const auto second = static_cast<int64_t>(call.duration_s);
  if (call_ != call.id || second < last_second_) {
    call_ = call.id;
    last_second_ = -1;
    samples_.clear();
  }
  if (call.state != CallState::kActive || second <= last_second_) return;
  Sample sample;
  const auto ms = [](Duration d) { return static_cast<float>(std::chrono::duration<double, std::milli>(d).count()); };
  sample.values[static_cast<size_t>(Series::kRttMs)] = call.stats.rtt ? ms(*call.stats.rtt) : 0.0f;
  sample.values[static_cast<size_t>(Series::kLossPercent)] = static_cast<float>(network_loss_fraction(call.stats) * 100.0);
  sample.values[static_cast<size_t>(Series::kJitterBufferMs)] = ms(call.stats.jitter_buffer_delay);
  sample.values[static_cast<size_t>(Series::kMos)] = static_cast<float>(mos_estimate(call.stats));
  // Seconds skipped (a slow frame) repeat the sample, so the x axis stays one second a point.
  for (int64_t s = std::max(last_second_ + 1, second - static_cast<int64_t>(kSeconds) + 1); s <= second; ++s) {
    samples_.push_back(sample);
  }
  if (samples_.size() > kSeconds) samples_.erase(samples_.begin(), samples_.end() - kSeconds);
  last_second_ = second;
}

std::vector<float> QualityHistory::values(Series series) const {
  std::vector<float> out;
  out.reserve(samples_.size());
  for (const Sample& s : samples_) out.push_back(s.values[static_cast<size_t>(series)]);
  return out;
}

void RateMeter::update(double now_s, uint64_t total) {
  if (!mark_time_ || total < mark_total_ || now_s < *mark_time_) {
    mark_time_ = now_s;
    mark_total_ = total;
    rate_ = 0;
    return;
  }
  const double elapsed = now_s - *mark_time_;
  if (elapsed < 1.0) return;
  rate_ = static_cast<uint64_t>(static_cast<double>(total - mark_total_) / elapsed);
  mark_time_ = now_s;
  mark_total_ = total;
}

}  // namespace koe::ui
