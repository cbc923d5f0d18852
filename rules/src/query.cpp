#include "wirewatch/rules/query.hpp"

#include "wirewatch/common/text.hpp"
#include "wirewatch/rules/messages.hpp"
#include "wirewatch/rules/tokenizer.hpp"

namespace wirewatch::rules {
namespace {

namespace msg = messages;

struct Lexeme {
  enum class Kind { term, lparen, rparen, and_, or_, not_, error, end };
  Kind kind = Kind::end;
  int offset = 0;                  // code points into the query
  std::string text;                // as written
  std::vector<std::string> words;  // folded words of a term
  std::string error;               // for Kind::error
};

bool is_query_space(char32_t c) { return is_space(c); }
bool ends_bare_word(char32_t c) { return is_query_space(c) || c == '(' || c == ')' || c == '"'; }

std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

class Lexer {
 public:
  Lexer(std::string_view q, std::vector<QueryProblem>& warnings) : q_(q), warnings_(warnings) {}

  std::vector<Lexeme> run() {
    std::vector<Lexeme> out;
    while (true) {
      const int end_of_last = cp_;
      skip_spaces();
      Lexeme lx;
      lx.offset = cp_;
      if (pos_ >= q_.size()) {
        // "found end of query" points just after the last token, not at trailing spaces.
        lx.kind = Lexeme::Kind::end;
        lx.offset = end_of_last;
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
      } else {
        bare_word(lx, start);
      }
      out.push_back(std::move(lx));
    }
  }

 private:
  void advance(std::size_t to) {
    cp_ += static_cast<int>(code_point_count(q_.substr(pos_, to - pos_)));
    pos_ = to;
  }

  void skip_spaces() {
    while (pos_ < q_.size()) {
      std::size_t p = pos_;
      if (!is_query_space(next_code_point(q_, p))) return;
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
    advance(close + 1);
    lx.text = std::string(q_.substr(start, close + 1 - start));
    lx.words = split_words(q_.substr(after_quote, close - after_quote));
    if (lx.words.empty()) {
      lx.kind = Lexeme::Kind::error;
      lx.error = msg::empty_phrase();
      return;
    }
    lx.kind = Lexeme::Kind::term;
  }

  void bare_word(Lexeme& lx, std::size_t start) {
    std::size_t end = pos_;
    while (end < q_.size()) {
      std::size_t p = end;
      if (ends_bare_word(next_code_point(q_, p))) break;
      end = p;
    }
    advance(end);
    lx.text = std::string(q_.substr(start, end - start));
    if (lx.text == "AND") {
      lx.kind = Lexeme::Kind::and_;
      return;
    }
    if (lx.text == "OR") {
      lx.kind = Lexeme::Kind::or_;
      return;
    }
    if (lx.text == "NOT") {
      lx.kind = Lexeme::Kind::not_;
      return;
    }
    const std::string upper = ascii_upper(lx.text);
    if (upper == "AND" || upper == "OR" || upper == "NOT") {
      warnings_.push_back({lx.offset, msg::lowercase_operator(lx.text, upper)});
    }
    lx.words = split_words(lx.text);
    if (lx.words.empty()) {
      lx.kind = Lexeme::Kind::error;
      lx.error = msg::no_word(lx.text);
      return;
    }
    lx.kind = Lexeme::Kind::term;
  }

  std::string_view q_;
  std::vector<QueryProblem>& warnings_;
  std::size_t pos_ = 0;
  int cp_ = 0;
};

struct ParseError {
  QueryProblem problem;
};

class Parser {
 public:
  explicit Parser(std::vector<Lexeme> lexemes) : lx_(std::move(lexemes)) {}

  std::unique_ptr<QueryNode> run() {
    if (peek().kind == Lexeme::Kind::end) throw ParseError{{0, msg::empty_query()}};
    auto root = parse_or();
    if (peek().kind == Lexeme::Kind::rparen) fail(msg::unmatched_close_paren());
    if (peek().kind != Lexeme::Kind::end) fail(msg::expected_operand(found()));  // not reached
    return root;
  }

 private:
  using Kind = Lexeme::Kind;

  const Lexeme& peek() const { return lx_[i_]; }
  const Lexeme& take() { return lx_[i_ < lx_.size() - 1 ? i_++ : i_]; }

  [[noreturn]] void fail(std::string message) const {
    const auto& l = peek();
    if (l.kind == Kind::error) throw ParseError{{l.offset, l.error}};
    throw ParseError{{l.offset, std::move(message)}};
  }

  std::string found() const {
    const auto& l = peek();
    return l.kind == Kind::end ? msg::kEndOfQuery : msg::quoted(l.text);
  }

  std::unique_ptr<QueryNode> parse_or() {
    auto left = parse_and();
    bool grouped = false;  // whether `left` is the OR node made here
    while (peek().kind == Kind::or_) {
      take();
      auto right = parse_and("OR");
      if (!grouped) {
        auto node = std::make_unique<QueryNode>();
        node->kind = QueryNode::Kind::or_;
        node->offset = left->offset;
        node->children.push_back(std::move(left));
        left = std::move(node);
        grouped = true;
      }
      left->children.push_back(std::move(right));
    }
    return left;
  }

  static bool starts_operand(Kind k) {
    return k == Kind::term || k == Kind::lparen || k == Kind::not_ || k == Kind::error;
  }

  std::unique_ptr<QueryNode> parse_and(std::string_view after = {}) {
    auto left = parse_unary(after);
    bool grouped = false;
    while (true) {
      std::string_view op;
      if (peek().kind == Kind::and_) {
        take();
        op = "AND";
      } else if (!starts_operand(peek().kind)) {
        break;
      }
      auto right = parse_unary(op);
      if (!grouped) {
        auto node = std::make_unique<QueryNode>();
        node->kind = QueryNode::Kind::and_;
        node->offset = left->offset;
        node->children.push_back(std::move(left));
        left = std::move(node);
        grouped = true;
      }
      left->children.push_back(std::move(right));
    }
    return left;
  }

  std::unique_ptr<QueryNode> parse_unary(std::string_view after) {
    if (peek().kind == Kind::not_) {
      const int offset = take().offset;
      auto node = std::make_unique<QueryNode>();
      node->kind = QueryNode::Kind::not_;
      node->offset = offset;
      node->children.push_back(parse_unary("NOT"));
      return node;
    }
    return parse_primary(after);
  }

  std::unique_ptr<QueryNode> parse_primary(std::string_view after) {
    const auto& l = peek();
    if (l.kind == Kind::term) {
      auto node = std::make_unique<QueryNode>();
      node->kind = QueryNode::Kind::term;
      node->offset = l.offset;
      node->written = l.text;
      node->words = l.words;
      take();
      return node;
    }
    if (l.kind == Kind::lparen) {
      const int offset = take().offset;
      auto inner = parse_or();
      if (peek().kind != Kind::rparen) fail(msg::expected_close_paren(found()));
      take();
      if (inner->kind != QueryNode::Kind::term) inner->offset = offset;
      return inner;
    }
    if (after.empty()) fail(msg::expected_operand(found()));
    fail(msg::expected_operand_after(after, found()));
  }

  std::vector<Lexeme> lx_;
  std::size_t i_ = 0;
};

bool can_match(const QueryNode& n) {
  switch (n.kind) {
    case QueryNode::Kind::term:
      return true;
    case QueryNode::Kind::not_:
      return false;
    case QueryNode::Kind::and_:
      for (const auto& c : n.children)
        if (can_match(*c)) return true;
      return false;
    case QueryNode::Kind::or_:
      for (const auto& c : n.children)
        if (!can_match(*c)) return false;
      return true;
  }
  return false;
}

}  // namespace

ParsedQuery parse_query(std::string_view query) {
  ParsedQuery out;
  Lexer lexer(query, out.warnings);
  Parser parser(lexer.run());
  try {
    auto root = parser.run();
    if (!can_match(*root)) {
      if (root->kind == QueryNode::Kind::or_) {
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
    out.root = std::move(root);
  } catch (const ParseError& e) {
    out.errors.push_back(e.problem);
  }
  return out;
}

}  // namespace wirewatch::rules
