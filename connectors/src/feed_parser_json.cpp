// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) with nlohmann-json.
#include <nlohmann/json.hpp>

#include "feed_parser_detail.hpp"
#include "wirewatch/connectors/dates.hpp"

namespace wirewatch::connectors::detail {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

// Builds a DOM like json::parse, but keeps what was read when the input breaks
// off (a truncated body): the feed's fields and every item completed so far.
class PartialDom final : public nlohmann::json_sax<json> {
 public:
  bool null() override { return put(nullptr); }
  bool boolean(bool v) override { return put(v); }
  bool number_integer(number_integer_t v) override { return put(v); }
  bool number_unsigned(number_unsigned_t v) override { return put(v); }
  bool number_float(number_float_t v, const string_t&) override { return put(v); }
  bool string(string_t& v) override { return put(std::move(v)); }
  bool binary(binary_t&) override { return put(nullptr); }
  bool key(string_t& k) override {
    key_ = std::move(k);
    return true;
  }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    error_ = ex.what();
    // "[json.exception.parse_error.101] parse error at ..." → "parse error at ..."
    if (const auto p = error_.find("] "); p != std::string::npos) error_.erase(0, p + 2);
    return false;
  }

  json& root() { return root_; }
  const std::string& error() const { return error_; }
  // True when the input broke off inside an item of the top-level "items".
  bool item_open() const { return stack_.size() >= 3 && items_ != nullptr && stack_[1] == items_; }

 private:
  bool put(json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    json& top = *stack_.back();
    if (top.is_object())
      top[key_] = std::move(v);
    else
      top.push_back(std::move(v));
    return true;
  }
  bool open(json v) {
    if (stack_.size() > 64) {  // no feed nests that deep
      error_ = "nested deeper than 64 levels";
      return false;
    }
    json* slot;
    if (stack_.empty()) {
      root_ = std::move(v);
      slot = &root_;
    } else if (json& top = *stack_.back(); top.is_object()) {
      slot = &(top[key_] = std::move(v));
      if (stack_.size() == 1 && key_ == "items") items_ = slot;
    } else {
      top.push_back(std::move(v));
      slot = &top.back();
    }
    stack_.push_back(slot);
    return true;
  }
  bool close() {
    if (!stack_.empty()) stack_.pop_back();
    return true;
  }

  json root_;
  std::vector<json*> stack_;
  json* items_ = nullptr;
  std::string key_;
  std::string error_;
};

std::string_view str(const json& obj, const char* key) {
  const auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

std::string id_string(const json& v) {
  if (v.is_string()) return std::string(trim(v.get_ref<const std::string&>()));
  if (v.is_number_integer() || v.is_number_unsigned() || v.is_number_float() || v.is_boolean())
    return v.dump();
  return {};
}

void add_author(std::vector<std::string>& authors, const json& a) {
  if (!a.is_object()) return;
  std::string name = plain_text(str(a, "name"), TextKind::text);
  if (name.empty()) return;
  for (const auto& have : authors) {
    if (have == name) return;
  }
  authors.push_back(std::move(name));
}

std::optional<TimePoint> date(const json& obj, const char* key) {
  const std::string_view s = str(obj, key);
  if (s.empty()) return std::nullopt;
  return parse_feed_date(s);
}

}  // namespace

void parse_json_feed(std::string_view text, const FeedParseOptions& options, ParsedFeed& out) {
  PartialDom dom;
  const bool complete = json::sax_parse(text, &dom, json::input_format_t::json, true);
  json& root = dom.root();
  if (!complete) {
    bozo(out, "not well-formed JSON: " + dom.error());
    if (dom.item_open()) {
      // drop the item the input broke off in
      if (auto it = root.find("items"); it != root.end() && it->is_array() && !it->empty())
        it->erase(it->size() - 1);
    }
  }
  if (!root.is_object()) {
    fail(out, "not a feed: the JSON document is not an object");
    return;
  }
  const std::string_view version = trim(str(root, "version"));
  if (version == "https://jsonfeed.org/version/1")
    out.format = FeedFormat::json1;
  else if (version == "https://jsonfeed.org/version/1.1")
    out.format = FeedFormat::json11;
  else if (version.find("jsonfeed.org/version/") != std::string_view::npos || root.contains("items"))
    out.format = FeedFormat::json;
  else {
    fail(out, "not a feed: a JSON object without a JSON Feed version or items");
    return;
  }

  std::string base = options.base_url;
  if (base.empty()) base = trim(str(root, "feed_url"));
  FeedMeta& feed = out.feed;
  feed.title = plain_text(str(root, "title"), TextKind::guess);
  feed.link = resolve_url(base, str(root, "home_page_url"));
  feed.description = trim(str(root, "description"));
  feed.language = trim(str(root, "language"));

  const auto items = root.find("items");
  if (items == root.end() || !items->is_array()) return;
  for (const json& it : *items) {
    if (!it.is_object()) continue;
    FeedItem item;
    item.feed_id = options.feed_id;
    if (const auto id = it.find("id"); id != it.end()) item.guid = id_string(*id);
    std::string_view url = str(it, "url");
    if (trim(url).empty()) url = str(it, "external_url");
    item.link = resolve_url(base, url);
    item.title = plain_text(str(it, "title"), TextKind::guess);
    item.summary = str(it, "summary");
    if (const std::string_view html = str(it, "content_html"); !html.empty()) {
      item.content = resolve_links_in_html(html, base);
    } else {
      item.content = str(it, "content_text");
    }
    item.published = date(it, "date_published");
    item.updated = date(it, "date_modified");
    if (const auto a = it.find("authors"); a != it.end() && a->is_array()) {
      for (const json& one : *a) add_author(item.authors, one);
    }
    if (const auto a = it.find("author"); a != it.end()) add_author(item.authors, *a);
    if (const auto tags = it.find("tags"); tags != it.end() && tags->is_array()) {
      for (const json& t : *tags) {
        if (!t.is_string()) continue;
        std::string tag = plain_text(t.get_ref<const std::string&>(), TextKind::text);
        if (!tag.empty()) item.categories.push_back(std::move(tag));
      }
    }
    if (item.title.empty() && item.link.empty() && item.guid.empty() && item.summary.empty() &&
        item.content.empty())
      continue;
    if (options.max_items > 0 && out.entries.size() >= options.max_items) {
      ++out.items_dropped;
      continue;
    }
    out.entries.push_back(std::move(item));
  }
}

}  // namespace wirewatch::connectors::detail
