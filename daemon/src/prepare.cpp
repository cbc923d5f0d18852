#include "wirewatch/daemon/prepare.hpp"

#include <algorithm>

#include "wirewatch/normalizer/extract.hpp"
#include "wirewatch/normalizer/fingerprint.hpp"
#include "wirewatch/normalizer/html_text.hpp"
#include "wirewatch/normalizer/url.hpp"

namespace wirewatch::daemon {
namespace {

// The longest prefix of `s` of at most `max` bytes that does not split a UTF-8 sequence.
std::size_t utf8_cut(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s.size();
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  return n;
}

// The record is complete: what the store needs besides it is made here.
void accept(Candidate& c, Record record) {
  c.fingerprint = text_fingerprint(record.text).to_bytes();
  c.stored_text = write_record(record.text);
  c.record = std::move(record);
}

Candidate from_directory(const connectors::DirectoryItem& item, const rules::RuleSet& rules,
                         const RecordLimits& limits) {
  Candidate c;
  c.source_id = item.source_id;
  c.item_key = item.key;
  c.origin = item.path.string();
  auto parsed = parse_record(item.bytes);
  if (auto* err = std::get_if<RecordError>(&parsed)) {
    c.rejection = err->message;
    return c;
  }
  Record record;
  record.text = std::move(std::get<RecordText>(parsed));
  c.limits_tripped = apply_record_limits(record.text, limits);
  record.source = item.source_id;
  record.fetched = now_seconds();
  auto named_id = id_from_file_name(item.path.filename().string());
  record.id = named_id ? *named_id : record_id("", record.text);
  c.matches = match_record(record, rules);
  accept(c, std::move(record));
  return c;
}

std::string content_type_charset(const std::string& content_type) {
  auto pos = content_type.find("charset=");
  if (pos == std::string::npos) return {};
  auto v = content_type.substr(pos + 8);
  auto end = v.find(';');
  if (end != std::string::npos) v = v.substr(0, end);
  v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
  return v;
}

}  // namespace

std::vector<const char*> apply_record_limits(RecordText& text, const RecordLimits& limits) {
  std::vector<const char*> tripped;
  if (text.paragraphs.size() > limits.max_paragraphs) {
    text.paragraphs.resize(limits.max_paragraphs);
    tripped.push_back("max_paragraphs");
  }
  // Size as written in a record file: the title, a blank line, paragraphs separated by blank lines.
  const std::size_t max = std::max<std::size_t>(limits.max_record_bytes, 1);
  std::size_t used = text.title.size();
  bool cut = false;
  if (used > max) {
    text.title.resize(utf8_cut(text.title, max));
    used = text.title.size();
    cut = true;
  }
  std::size_t keep = 0;
  for (; keep < text.paragraphs.size(); ++keep) {
    std::size_t need = 2 + text.paragraphs[keep].size();
    if (used + need > max) break;
    used += need;
  }
  if (keep < text.paragraphs.size()) {
    cut = true;
    if (keep == 0 && used + 2 < max) {
      // One paragraph larger than the whole budget: keep its beginning rather than nothing.
      auto& first = text.paragraphs.front();
      first.resize(utf8_cut(first, max - used - 2));
      keep = first.empty() ? 0 : 1;
    }
    text.paragraphs.resize(keep);
  }
  if (cut) tripped.push_back("max_record_bytes");
  return tripped;
}

Candidate candidate_from_feed_entry(const std::string& source_id, const connectors::FeedEntry& entry,
                                    const RecordLimits& limits) {
  const auto& item = entry.item;
  Candidate c;
  c.source_id = source_id;
  c.item_key = entry.key;
  c.origin = item.link.empty() ? "item " + entry.key : item.link;
  Record record;
  record.source = source_id;
  record.fetched = now_seconds();
  bool extracted = false;
  if (entry.article && entry.article->ok()) {
    ExtractOptions opts;
    opts.url = entry.article->final_url.empty() ? item.link : entry.article->final_url;
    opts.charset = content_type_charset(entry.article->content_type);
    opts.fallback_title = item.title;
    opts.fallback_published = item.date();
    if (!item.authors.empty()) opts.fallback_author = item.authors.front();
    auto result = extract_article(entry.article->body, opts);
    if (auto* article = std::get_if<Article>(&result)) {
      record.text = std::move(article->text);
      record.url = article->canonical_url;
      record.published = article->published;
      record.author = article->author;
      record.language = article->language;
      extracted = true;
    }
  }
  if (!extracted) {
    // The item itself: its title and the text of its content or summary.
    record.text.title = item.title;
    record.text.paragraphs = html_to_paragraphs(item.content.empty() ? item.summary : item.content);
    record.url = canonicalize_url(item.link).value_or("");
    record.published = item.date();
    if (!item.authors.empty()) record.author = item.authors.front();
  }
  if (record.text.title.empty() && !record.text.paragraphs.empty()) {
    record.text.title = record.text.paragraphs.front();
  }
  if (record.text.title.empty()) {
    c.rejection = "no title and no text";
    return c;
  }
  c.limits_tripped = apply_record_limits(record.text, limits);
  record.id = record_id(record.url, record.text);
  accept(c, std::move(record));
  return c;
}

std::vector<rules::Match> match_record(const Record& record, const rules::RuleSet& rules) {
  rules::DocumentFields fields;
  fields.title = record.text.title;
  fields.body = record.text.body();
  fields.url = record.url;
  fields.author = record.author;
  fields.source_id = record.source;
  fields.lang = record.language;
  return rules.match(rules::TextDocument(std::move(fields)));
}

StoreBatch prepare(const SourceInput& input, const rules::RuleSet& rules, const RecordLimits& limits) {
  StoreBatch batch;
  if (const auto* item = std::get_if<connectors::DirectoryItem>(&input)) {
    batch.candidates.push_back(from_directory(*item, rules, limits));
  } else {
    const auto& poll = std::get<connectors::FeedPollResult>(input);
    batch.feed_state = {poll.source_id, poll.state};
    for (const auto& entry : poll.entries) {
      auto c = candidate_from_feed_entry(poll.source_id, entry, limits);
      if (c.record) c.matches = match_record(*c.record, rules);
      batch.candidates.push_back(std::move(c));
    }
  }
  for (auto& c : batch.candidates) {
    if (!c.record) continue;
    for (const auto& match : c.matches) c.alert_payloads.emplace_back(match, *c.record);
    // Matched and rendered: from here the body is needed only as stored_text,
    // so one copy of it waits in the queue, not two.
    c.record->text.paragraphs = {};
  }
  return batch;
}

}  // namespace wirewatch::daemon
