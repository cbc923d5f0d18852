#include "wirewatch/rules/query.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "wirewatch/common/text.hpp"
#include "wirewatch/rules/messages.hpp"
#include "wirewatch/rules/tokenizer.hpp"

namespace wirewatch::rules {
namespace {

namespace msg = messages;
using Kind = QueryNode::Kind;

struct ParseError {
  QueryProblem problem;
};

[[noreturn]] void fail(int offset, std::string message) { throw ParseError{{offset, std::move(message)}}; }

struct Lexeme {
  enum class Kind { term, phrase, lparen, rparen, and_, or_, not_, near, field, list, error, end };
  Kind kind = Kind::end;
  int offset = 0;  // code points into the query
  int end = 0;
  std::string text;  // as written (for a phrase: with its quotes and ~N)
  // phrase: the text between the quotes, where it starts, and ~N (-1 without)
  std::string inner;
  int inner_offset = 0;
  int slop = -1;
  // near
  NearUnit unit = NearUnit::words;
  int distance = 0;
  bool ordered = false;
  // field and list: the name
  std::string name;
  std::string error;  // Kind::error
};

bool ends_bare_word(char32_t c) { return is_space(c) || c == '(' || c == ')' || c == '"'; }

bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  if (s.empty() || s.size() > 6) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// The length of a field prefix `name:` at the start of a bare word, or 0.
std::size_t field_prefix(std::string_view raw, bool group_follows) {
  if (raw.empty() || !ascii_alpha(raw[0])) return 0;
  std::size_t i = 1;
  while (i < raw.size() && (ascii_alpha(raw[i]) || ascii_digit(raw[i]))) ++i;
  if (i >= raw.size() || raw[i] != ':') return 0;
  if (i + 1 < raw.size() || group_follows) return i + 1;
  // `title:` before a space or the end is a field without its operand; `note:` a word.
  const std::string_view name = raw.substr(0, i);
  const bool known = name == "title" || name == "body" || name == "url" || name == "author" ||
                     name == "site" || name == "source" || name == "lang" || name == "case" ||
                     (name.starts_with("repeat") && name.size() > 6 &&
                      name.find_first_not_of("0123456789", 6) == std::string_view::npos);
  return known ? i + 1 : 0;
}

class Lexer {
 public:
  Lexer(std::string_view q, std::vector<QueryProblem>& warnings) : q_(q), warnings_(warnings) {}

  std::vector<Lexeme> run() {
    std::vector<Lexeme> out;
    out.reserve(8);  // most queries; growing a vector of Lexemes moves them all
    while (true) {
      const int end_of_last = cp_;
      skip_spaces();
      Lexeme lx;
      lx.offset = cp_;
      if (pos_ >= q_.size()) {
        // "found end of query" points just after the last token, not at trailing spaces.
        lx.kind = Lexeme::Kind::end;
        lx.offset = lx.end = end_of_last;
        out.push_back(std::move(lx));
        return out;
      }
      const std::size_t start = pos_;
      std::size_t p = pos_;
      const char32_t c = next_code_point(q_, p);
      if (c == '(' || c == ')') {
        advance(p);
        lx.kind = c == '(' ? Lexeme::Kind::lparen : Lexeme::Kind::rparen;
        lx.text = std::string(1, static_cast<char>(c));
      } else if (c == '"') {
        phrase(lx, start, p);
      } else if (c == '-' && p < q_.size() && !is_space(peek_at(p))) {
        advance(p);
        lx.kind = Lexeme::Kind::not_;
        lx.text = "-";
      } else {
        bare_word(lx, start);
      }
      lx.end = cp_;
      out.push_back(std::move(lx));
    }
  }

 private:
  char32_t peek_at(std::size_t p) const { return next_code_point(q_, p); }

  void advance(std::size_t to) {
    cp_ += static_cast<int>(code_point_count(q_.substr(pos_, to - pos_)));
    pos_ = to;
  }

  void skip_spaces() {
    while (pos_ < q_.size()) {
      std::size_t p = pos_;
      if (!is_space(next_code_point(q_, p))) return;
      advance(p);
    }
  }

  void phrase(Lexeme& lx, std::size_t start, std::size_t after_quote) {
    const auto close = q_.find('"', after_quote);
    if (close == std::string_view::npos) {
      advance(q_.size());
      lx.kind = Lexeme::Kind::error;
      lx.error = msg::unterminated_phrase();
      return;
    }
    lx.kind = Lexeme::Kind::phrase;
    lx.inner = std::string(q_.substr(after_quote, close - after_quote));
    lx.inner_offset = lx.offset + 1;
    advance(close + 1);
    if (pos_ < q_.size() && q_[pos_] == '~') {
      const int tilde = cp_;
      std::size_t e = pos_ + 1;
      while (e < q_.size() && ascii_digit(q_[e])) ++e;
      auto slop = parse_int(q_.substr(pos_ + 1, e - pos_ - 1));
      advance(e);
      if (!slop) {
        lx.kind = Lexeme::Kind::error;
        lx.offset = tilde;
        lx.error = msg::expected_slop();
        return;
      }
      lx.slop = *slop;
    }
    lx.text = std::string(q_.substr(start, pos_ - start));
  }

  void bare_word(Lexeme& lx, std::size_t start) {
    std::size_t end = pos_;
    while (end < q_.size()) {
      std::size_t p = end;
      if (ends_bare_word(next_code_point(q_, p))) break;
      end = p;
    }
    const std::string_view raw = q_.substr(start, end - start);
    const bool group_follows = end < q_.size() && (q_[end] == '(' || q_[end] == '"');
    if (auto n = field_prefix(raw, group_follows)) {
      advance(start + n);
      lx.kind = Lexeme::Kind::field;
      lx.name = std::string(raw.substr(0, n - 1));
      lx.text = std::string(raw.substr(0, n));
      return;
    }
    advance(end);
    lx.text = std::string(raw);
    if (raw == "AND") {
      lx.kind = Lexeme::Kind::and_;
      return;
    }
    if (raw == "OR") {
      lx.kind = Lexeme::Kind::or_;
      return;
    }
    if (raw == "NOT") {
      lx.kind = Lexeme::Kind::not_;
      return;
    }
    if (raw.starts_with("NEAR") || raw.starts_with("ONEAR")) {
      near(lx, raw);
      return;
    }
    if (raw.front() == '@') {
      lx.kind = Lexeme::Kind::list;
      lx.name = std::string(raw.substr(1));
      if (lx.name.empty()) {
        lx.kind = Lexeme::Kind::error;
        lx.error = msg::expected_list_name();
      }
      return;
    }
    const std::string upper = ascii_upper(raw);
    if (upper == "AND" || upper == "OR" || upper == "NOT") {
      warnings_.push_back({lx.offset, msg::lowercase_operator(raw, upper)});
    } else if (upper.starts_with("NEAR/") || upper.starts_with("ONEAR/")) {
      warnings_.push_back({lx.offset, msg::lowercase_operator(raw, upper)});
    }
    lx.kind = Lexeme::Kind::term;
  }

  void near(Lexeme& lx, std::string_view raw) {
    lx.ordered = raw.front() == 'O';
    const std::string_view head = lx.ordered ? "ONEAR/" : "NEAR/";
    lx.kind = Lexeme::Kind::error;
    lx.error = msg::bad_near(raw);
    if (!raw.starts_with(head)) return;
    const auto arg = raw.substr(head.size());
    if (arg == "s") {
      lx.unit = NearUnit::sentence;
    } else if (arg == "p") {
      lx.unit = NearUnit::paragraph;
    } else if (auto n = parse_int(arg); n && *n >= 1) {
      lx.unit = NearUnit::words;
      lx.distance = *n;
    } else {
      return;
    }
    lx.kind = Lexeme::Kind::near;
  }

  std::string_view q_;
  std::vector<QueryProblem>& warnings_;
  std::size_t pos_ = 0;
  int cp_ = 0;
};

// ---- terms -------------------------------------------------------------------

struct Patterns {
  std::vector<std::string> words;  // folded, with `?` and a final `*`
  std::vector<std::string> exact;  // NFC as written, with the wildcards
};

bool is_wildcard(char32_t c) { return c == '*' || c == '?'; }

// Splits a word or the inside of a phrase into word patterns. `offset` is where
// `text` starts in the query, for errors.
Patterns make_patterns(std::string_view text, int offset) {
  Patterns out;
  std::size_t pos = 0;
  int cp = offset;
  std::string part_raw;     // the part as written
  std::string part_folded;  // folded literal runs plus wildcards
  std::string literal;      // the current literal run
  bool wild = false;
  bool star = false;
  int star_at = 0;
  std::string folded;

  auto flush_literal = [&] {
    if (literal.empty()) return;
    fold_word(literal, folded);
    part_folded += folded;
    literal.clear();
  };
  auto finish_part = [&] {
    flush_literal();
    if (!part_raw.empty()) {
      out.words.push_back(part_folded);
      out.exact.push_back(to_nfc(part_raw));
    }
    part_raw.clear();
    part_folded.clear();
    wild = star = false;
  };

  while (pos < text.size()) {
    const std::size_t start = pos;
    const char32_t c = next_code_point(text, pos);
    const std::string_view bytes = text.substr(start, pos - start);
    if (is_word_char(c)) {
      if (star) fail(star_at, msg::star_not_at_end());
      literal += bytes;
      part_raw += bytes;
    } else if (is_wildcard(c)) {
      if (star) fail(star_at, msg::star_not_at_end());
      flush_literal();
      if (!wild && code_point_count(part_folded) < 3) fail(cp, msg::prefix_too_short(static_cast<char>(c)));
      part_raw += bytes;
      part_folded += static_cast<char>(c);
      wild = true;
      if (c == '*') {
        star = true;
        star_at = cp;
      }
    } else {
      finish_part();
    }
    ++cp;
  }
  finish_part();
  return out;
}

bool has_wildcard(std::string_view s) { return s.find_first_of("*?") != std::string_view::npos; }

// ---- parser ------------------------------------------------------------------

// What the prefixes in front of an operand say about its terms.
struct Context {
  std::uint8_t fields = 0;  // 0: not set (title or body)
  std::string field;        // the field's name, for messages
  bool meta = false;
  MetaField meta_field = MetaField::site;
  bool case_sensitive = false;
  int repeat = 1;
  std::string repeat_written;
  int repeat_offset = 0;
  int prefix_start = -1;  // where the chain of prefixes of this operand starts
};

class Parser {
 public:
  Parser(std::string_view query, std::vector<Lexeme> lexemes, const QueryLists& lists,
         std::vector<QueryProblem>& warnings, std::size_t max_depth)
      : query_(query), lx_(std::move(lexemes)), lists_(lists), warnings_(warnings), max_depth_(max_depth) {
    // Where each code point starts, to slice the query by code point offsets.
    at_.reserve(query.size() + 1);
    for (std::size_t p = 0; p < query.size();) {
      at_.push_back(static_cast<std::uint32_t>(p));
      if (static_cast<unsigned char>(query[p]) < 0x80)
        ++p;
      else
        next_code_point(query, p);
    }
    at_.push_back(static_cast<std::uint32_t>(query.size()));
  }

  std::unique_ptr<QueryNode> run() {
    if (peek().kind == LK::end) fail(0, msg::empty_query());
    auto root = parse_or(Context{});
    if (peek().kind == LK::rparen) fail_here(msg::unmatched_close_paren());
    if (peek().kind != LK::end) fail_here(msg::expected_operand(found()));
    return root;
  }

 private:
  using LK = Lexeme::Kind;

  const Lexeme& peek() const { return lx_[i_]; }
  const Lexeme& take() { return lx_[i_ < lx_.size() - 1 ? i_++ : i_]; }

  [[noreturn]] void fail_here(std::string message) const {
    const auto& l = peek();
    if (l.kind == LK::error) fail(l.offset, l.error);
    fail(l.offset, std::move(message));
  }

  std::string found() const {
    const auto& l = peek();
    return l.kind == LK::end ? msg::kEndOfQuery : msg::quoted(l.text);
  }

  std::string source(int from, int to) const {
    const auto last = static_cast<int>(at_.size()) - 1;
    from = std::clamp(from, 0, last);
    to = std::clamp(to, from, last);
    const auto a = at_[static_cast<std::size_t>(from)];
    return std::string(query_.substr(a, at_[static_cast<std::size_t>(to)] - a));
  }

  std::unique_ptr<QueryNode> group(Kind kind, std::unique_ptr<QueryNode> first) {
    auto node = std::make_unique<QueryNode>();
    node->kind = kind;
    node->offset = first->offset;
    node->end = first->end;
    node->children.push_back(std::move(first));
    return node;
  }

  std::unique_ptr<QueryNode> parse_or(const Context& ctx) {
    auto left = parse_and(ctx, {});
    bool grouped = false;
    int first_or = -1;
    while (peek().kind == LK::or_) {
      if (first_or < 0)
        first_or = take().offset;
      else
        take();
      auto right = parse_and(ctx, "OR");
      if (!grouped) {
        left = group(Kind::or_, std::move(left));
        grouped = true;
      }
      left->end = right->end;
      left->children.push_back(std::move(right));
    }
    if (grouped) warn_mixed(*left, first_or);
    return left;
  }

  // `a AND b OR c` is read as `(a AND b) OR c`; say so.
  void warn_mixed(const QueryNode& or_node, int at) {
    bool mixed = false;
    for (const auto& c : or_node.children) mixed = mixed || (c->kind == Kind::and_ && !c->parenthesized);
    if (!mixed) return;
    std::string reading;
    for (const auto& c : or_node.children) {
      if (!reading.empty()) reading += " OR ";
      const std::string text = source(c->offset, c->end);
      reading += c->kind == Kind::and_ && !c->parenthesized ? "(" + text + ")" : text;
    }
    warnings_.push_back({at, msg::mixed_and_or(reading)});
  }

  static bool starts_operand(LK k) {
    return k == LK::term || k == LK::phrase || k == LK::lparen || k == LK::not_ || k == LK::field ||
           k == LK::list || k == LK::error;
  }

  std::unique_ptr<QueryNode> parse_and(const Context& ctx, std::string_view after) {
    auto left = parse_unary(ctx, after);
    bool grouped = false;
    while (true) {
      std::string_view op;
      if (peek().kind == LK::and_) {
        take();
        op = "AND";
      } else if (!starts_operand(peek().kind)) {
        break;
      }
      auto right = parse_unary(ctx, op);
      if (!grouped) {
        left = group(Kind::and_, std::move(left));
        grouped = true;
      }
      left->end = right->end;
      left->children.push_back(std::move(right));
    }
    return left;
  }

  // One level of nesting for as long as it lives; past the limit the query is refused.
  class Nest {
   public:
    explicit Nest(Parser& p) : p_(p) {
      if (++p_.depth_ > p_.max_depth_)
        fail(p_.peek().offset, "the query is nested more than " + std::to_string(p_.max_depth_) +
                                   " levels deep (limits.max_query_depth)");
    }
    ~Nest() { --p_.depth_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;

   private:
    Parser& p_;
  };

  std::unique_ptr<QueryNode> parse_unary(const Context& ctx, std::string_view after) {
    Nest nest(*this);  // every parenthesis and every NOT passes here
    if (peek().kind == LK::not_) {
      const Lexeme& l = take();
      const int offset = l.offset;
      const std::string op = l.text == "-" ? "-" : "NOT";
      auto node = std::make_unique<QueryNode>();
      node->kind = Kind::not_;
      node->offset = offset;
      node->children.push_back(parse_unary(ctx, op));
      node->end = node->children[0]->end;
      return node;
    }
    return parse_near(ctx, after);
  }

  std::unique_ptr<QueryNode> parse_near(const Context& ctx, std::string_view after) {
    auto left = parse_prefixed(ctx, after);
    if (peek().kind != LK::near) return left;
    const Lexeme op = take();
    check_near_operand(*left, op.text);
    auto right = parse_prefixed(ctx, op.text);
    check_near_operand(*right, op.text);
    if (peek().kind == LK::near) fail_here(msg::near_chain(op.text));
    auto node = group(Kind::near, std::move(left));
    node->unit = op.unit;
    node->distance = op.distance;
    node->ordered = op.ordered;
    node->end = right->end;
    node->children.push_back(std::move(right));
    return node;
  }

  void check_near_operand(const QueryNode& n, std::string_view op) const {
    if (n.kind == Kind::term && n.repeat == 1) return;
    if (n.kind == Kind::or_) {
      for (const auto& c : n.children) check_near_operand(*c, op);
      return;
    }
    fail(n.offset, msg::near_operand(op));
  }

  std::unique_ptr<QueryNode> parse_prefixed(const Context& outer, std::string_view after) {
    if (peek().kind != LK::field) return parse_primary(outer, after);
    Nest nest(*this);  // case:case:case:... recurses too
    const Lexeme l = take();
    Context ctx = outer;
    if (ctx.prefix_start < 0) ctx.prefix_start = l.offset;
    const std::string& name = l.name;
    auto set_field = [&](std::uint8_t bits) {
      if (ctx.fields || ctx.meta) fail(l.offset, msg::field_in_field(name, ctx.field));
      ctx.fields = bits;
      ctx.field = name;
    };
    auto set_meta = [&](MetaField f) {
      if (ctx.fields || ctx.meta) fail(l.offset, msg::field_in_field(name, ctx.field));
      ctx.meta = true;
      ctx.meta_field = f;
      ctx.field = name;
    };
    if (name == "title")
      set_field(kTitleBit);
    else if (name == "body")
      set_field(kBodyBit);
    else if (name == "url")
      set_field(kUrlBit);
    else if (name == "author")
      set_field(kAuthorBit);
    else if (name == "site")
      set_meta(MetaField::site);
    else if (name == "source")
      set_meta(MetaField::source);
    else if (name == "lang")
      set_meta(MetaField::lang);
    else if (name == "case")
      ctx.case_sensitive = true;
    else if (name.starts_with("repeat") && name.size() > 6 &&
             name.find_first_not_of("0123456789", 6) == std::string::npos) {
      auto n = parse_int(std::string_view(name).substr(6));
      if (!n || *n < 1) fail(l.offset, msg::repeat_count(l.text));
      ctx.repeat = *n;
      ctx.repeat_written = l.text;
      ctx.repeat_offset = l.offset;
    } else {
      fail(l.offset, msg::unknown_field(name));
    }
    return parse_prefixed(ctx, l.text);
  }

  std::unique_ptr<QueryNode> parse_primary(const Context& ctx, std::string_view after) {
    const Lexeme& l = peek();
    if (l.kind == LK::term || l.kind == LK::phrase) {
      const Lexeme lx = take();
      if (ctx.meta) return meta_node(ctx, lx);
      auto node = lx.kind == LK::phrase ? phrase_node(lx) : word_node(lx);
      apply(ctx, *node);
      if (ctx.prefix_start >= 0) node->offset = ctx.prefix_start;
      node->written = source(node->offset, lx.end);
      return node;
    }
    if (l.kind == LK::list) {
      const Lexeme lx = take();
      return list_node(ctx, lx);
    }
    if (l.kind == LK::lparen) {
      const int offset = take().offset;
      if (ctx.repeat > 1) fail(ctx.repeat_offset, msg::repeat_needs_term(ctx.repeat_written));
      Context inner = ctx;
      inner.prefix_start = -1;
      auto node = parse_or(inner);
      if (peek().kind != LK::rparen) fail_here(msg::expected_close_paren(found()));
      const int end = take().end;
      if (node->kind != Kind::term) node->offset = offset;
      node->end = end;
      node->parenthesized = true;
      return node;
    }
    if (after.empty()) fail_here(msg::expected_operand(found()));
    fail_here(msg::expected_operand_after(after, found()));
  }

  std::unique_ptr<QueryNode> word_node(const Lexeme& lx) const {
    auto p = make_patterns(lx.text, lx.offset);
    if (p.words.empty()) fail(lx.offset, msg::no_word(lx.text));
    return term_node(lx, std::move(p));
  }

  // A term node spanning the lexeme, holding its word patterns.
  template <typename Patterns>
  static std::unique_ptr<QueryNode> term_node(const Lexeme& lx, Patterns&& p) {
    auto node = std::make_unique<QueryNode>();
    node->kind = Kind::term;
    node->offset = lx.offset;
    node->end = lx.end;
    node->words = std::move(p.words);
    node->exact = std::move(p.exact);
    return node;
  }

  std::unique_ptr<QueryNode> phrase_node(const Lexeme& lx) const {
    auto p = make_patterns(lx.inner, lx.inner_offset);
    if (p.words.empty()) fail(lx.offset, msg::empty_phrase());
    if (lx.slop >= 0 && p.words.size() > 1 && static_cast<std::size_t>(lx.slop) + 1 < p.words.size())
      fail(lx.offset + static_cast<int>(code_point_count(lx.text)) -
               static_cast<int>(std::to_string(lx.slop).size()) - 1,
           msg::slop_too_small(lx.slop, p.words.size()));
    auto node = term_node(lx, std::move(p));
    if (node->words.size() > 1) node->slop = lx.slop;
    return node;
  }

  static void apply(const Context& ctx, QueryNode& term) {
    term.fields = ctx.fields ? ctx.fields : static_cast<std::uint8_t>(kTextBits);
    term.case_sensitive = ctx.case_sensitive;
    term.repeat = ctx.repeat;
  }

  std::unique_ptr<QueryNode> meta_node(const Context& ctx, const Lexeme& lx) const {
    const std::string field(meta_field_name(ctx.meta_field));
    if (lx.kind != LK::term || has_wildcard(lx.text)) fail(lx.offset, msg::meta_value(field));
    if (ctx.repeat > 1) fail(ctx.repeat_offset, msg::repeat_needs_term(ctx.repeat_written));
    std::string value = lx.text;
    auto ok = [&](auto pred) {
      if (value.empty()) return false;
      for (char c : value)
        if (!pred(c)) return false;
      return true;
    };
    bool valid = false;
    switch (ctx.meta_field) {
      case MetaField::site:
        value = ascii_lower(value);
        while (!value.empty() && value.back() == '.') value.pop_back();
        valid = ok([](char c) { return ascii_alpha(c) || ascii_digit(c) || c == '.' || c == '-'; }) &&
                value.front() != '.';
        break;
      case MetaField::source:
        valid =
            ok([](char c) { return ascii_alpha(c) || ascii_digit(c) || c == '.' || c == '-' || c == '_'; }) &&
            (ascii_alpha(value.front()) || ascii_digit(value.front()));
        break;
      case MetaField::lang:
        value = ascii_lower(value);
        valid = ok([](char c) { return ascii_alpha(c) || ascii_digit(c) || c == '-' || c == '_'; }) &&
                ascii_alpha(value.front());
        for (char& c : value)
          if (c == '_') c = '-';
        break;
    }
    if (!valid) fail(lx.offset, msg::meta_value(field));
    auto node = std::make_unique<QueryNode>();
    node->kind = Kind::meta;
    node->meta = ctx.meta_field;
    node->value = std::move(value);
    node->offset = ctx.prefix_start >= 0 ? ctx.prefix_start : lx.offset;
    node->end = lx.end;
    node->written = source(node->offset, lx.end);
    return node;
  }

  std::unique_ptr<QueryNode> list_node(const Context& ctx, const Lexeme& lx) const {
    if (ctx.meta) fail(lx.offset, msg::meta_value(meta_field_name(ctx.meta_field)));
    if (ctx.repeat > 1) fail(ctx.repeat_offset, msg::repeat_needs_term(ctx.repeat_written));
    auto it = lists_.find(lx.name);
    if (it == lists_.end()) fail(lx.offset, msg::unknown_list(lx.name));
    auto node = std::make_unique<QueryNode>();
    node->kind = Kind::or_;
    node->offset = lx.offset;
    node->end = lx.end;
    node->parenthesized = true;
    node->written = lx.text;
    for (const auto& entry : it->second) {
      Patterns p;
      try {
        p = make_patterns(entry, 0);
      } catch (const ParseError&) {
        continue;  // reported where the list is defined
      }
      if (p.words.empty()) continue;
      auto term = std::make_unique<QueryNode>();
      term->kind = Kind::term;
      term->offset = lx.offset;
      term->end = lx.end;
      term->words = std::move(p.words);
      term->exact = std::move(p.exact);
      const bool quoted = entry.size() >= 2 && entry.front() == '"';
      term->written = term->words.size() > 1 && !quoted ? "\"" + entry + "\"" : entry;
      apply(ctx, *term);
      node->children.push_back(std::move(term));
    }
    if (node->children.empty()) fail(lx.offset, msg::empty_list(lx.name));
    if (node->children.size() == 1) {
      auto only = std::move(node->children[0]);
      return only;
    }
    return node;
  }

  std::string_view query_;
  std::vector<std::uint32_t> at_;
  std::vector<Lexeme> lx_;
  const QueryLists& lists_;
  std::vector<QueryProblem>& warnings_;
  std::size_t i_ = 0;
  std::size_t max_depth_;
  std::size_t depth_ = 0;
};

// ---- checks after parsing ------------------------------------------------------

bool can_match(const QueryNode& n) {
  switch (n.kind) {
    case Kind::term:
    case Kind::meta:
    case Kind::near:
      return true;
    case Kind::not_:
      return false;
    case Kind::and_:
      for (const auto& c : n.children)
        if (can_match(*c)) return true;
      return false;
    case Kind::or_:
      for (const auto& c : n.children)
        if (!can_match(*c)) return false;
      return true;
  }
  return false;
}

// An AND that requires a thing and excludes the same thing.
const QueryNode* find_contradiction(const QueryNode& n) {
  if (n.kind == Kind::and_) {
    for (const auto& c : n.children) {
      if (c->kind != Kind::not_) continue;
      const std::string excluded = describe(*c->children[0]);
      for (const auto& d : n.children)
        if (d->kind != Kind::not_ && describe(*d) == excluded) return c.get();
    }
  }
  for (const auto& c : n.children)
    if (auto* found = find_contradiction(*c)) return found;
  return nullptr;
}

std::string quote_if_many(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return words.size() > 1 ? "\"" + out + "\"" : out;
}

}  // namespace

std::string_view meta_field_name(MetaField f) {
  switch (f) {
    case MetaField::site:
      return "site";
    case MetaField::source:
      return "source";
    case MetaField::lang:
      return "lang";
  }
  return "site";
}

std::string describe(const QueryNode& n) {
  switch (n.kind) {
    case Kind::term: {
      std::string out;
      if (n.fields != kTextBits) {
        if (n.fields & kTitleBit) out += "title:";
        if (n.fields & kBodyBit) out += "body:";
        if (n.fields & kUrlBit) out += "url:";
        if (n.fields & kAuthorBit) out += "author:";
      }
      if (n.repeat > 1) out += "repeat" + std::to_string(n.repeat) + ":";
      if (n.case_sensitive) out += "case:";
      out += quote_if_many(n.case_sensitive ? n.exact : n.words);
      if (n.slop >= 0) out += "~" + std::to_string(n.slop);
      return out;
    }
    case Kind::meta:
      return std::string(meta_field_name(n.meta)) + ":" + n.value;
    case Kind::not_:
      return "NOT(" + describe(*n.children.at(0)) + ")";
    case Kind::near: {
      std::string op = n.ordered ? "ONEAR/" : "NEAR/";
      op += n.unit == NearUnit::sentence    ? "s"
            : n.unit == NearUnit::paragraph ? "p"
                                            : std::to_string(n.distance);
      return op + "(" + describe(*n.children.at(0)) + ", " + describe(*n.children.at(1)) + ")";
    }
    case Kind::and_:
    case Kind::or_: {
      std::string out = n.kind == Kind::and_ ? "AND(" : "OR(";
      for (std::size_t i = 0; i < n.children.size(); ++i) out += (i ? ", " : "") + describe(*n.children[i]);
      return out + ")";
    }
  }
  return "?";
}

ParsedQuery parse_query(std::string_view query, const QueryLists& lists, const QueryLimits& limits) {
  ParsedQuery out;
  if (query.size() > limits.max_length) {
    out.errors.push_back({0, "the query is " + std::to_string(query.size()) +
                                 " bytes long, more than the limit of " + std::to_string(limits.max_length) +
                                 " (limits.max_query_length)"});
    return out;
  }
  try {
    Lexer lexer(query, out.warnings);
    Parser parser(query, lexer.run(), lists, out.warnings, limits.max_depth);
    auto root = parser.run();
    if (!can_match(*root)) {
      if (root->kind == Kind::or_) {
        for (const auto& c : root->children) {
          if (!can_match(*c)) {
            out.errors.push_back({c->offset, messages::or_branch_never_matches()});
            break;
          }
        }
      } else {
        out.errors.push_back({root->offset, messages::never_matches()});
      }
      return out;
    }
    if (const QueryNode* c = find_contradiction(*root)) {
      const auto cps = utf8_code_points(query);
      std::string text;
      for (int i = c->children[0]->offset; i < c->children[0]->end && i < static_cast<int>(cps.size()); ++i)
        append_utf8(text, cps[static_cast<std::size_t>(i)]);
      out.errors.push_back({c->offset, messages::contradiction(text)});
      return out;
    }
    out.root = std::move(root);
  } catch (const ParseError& e) {
    out.errors.push_back(e.problem);
  }
  return out;
}

std::vector<QueryProblem> check_list_entry(std::string_view entry) {
  std::vector<QueryProblem> out;
  try {
    if (make_patterns(entry, 0).words.empty()) out.push_back({0, messages::no_word(entry)});
  } catch (const ParseError& e) {
    out.push_back(e.problem);
  }
  return out;
}

}  // namespace wirewatch::rules
