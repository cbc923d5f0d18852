// wirewatch extract --url URL [--charset NAME] FILE
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "commands.hpp"
#include "wirewatch/daemon/daemon.hpp"
#include "wirewatch/normalizer/extract.hpp"
#include "wirewatch/normalizer/record.hpp"

namespace wirewatch::cli {
namespace {

using daemon::kExitFailure;
using daemon::kExitOk;

struct ExtractArgs {
  std::string url;
  std::string charset;
  std::string parser = "libxml2";
  std::string file;
};

int run_extract(const ExtractArgs& args) {
  std::string bytes;
  if (args.file == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    bytes = s.str();
  } else {
    std::ifstream in(args.file, std::ios::binary);
    if (!in) {
      std::cerr << args.file << ": error: cannot open file\n";
      return kExitFailure;
    }
    std::ostringstream s;
    s << in.rdbuf();
    bytes = s.str();
  }
  ExtractOptions options;
  options.url = args.url;
  options.charset = args.charset;
  options.parser = args.parser == "gumbo" ? HtmlParser::gumbo : HtmlParser::libxml2;
  auto result = extract_article(bytes, options);
  if (auto* err = std::get_if<ExtractError>(&result)) {
    std::cerr << (args.file == "-" ? "<stdin>" : args.file) << ": error: " << err->message << '\n';
    return kExitFailure;
  }
  const auto& article = std::get<Article>(result);
  std::cout << write_record(article.text) << '\n';
  std::cout.flush();
  return kExitOk;
}

}  // namespace

void add_extract_commands(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<ExtractArgs>();
  auto* cmd =
      app.add_subcommand("extract", "extract the article of an HTML page; prints the record to stdout");
  cmd->add_option("--url", args->url, "the page's address (for the canonical URL and the title)");
  cmd->add_option("--charset", args->charset,
                  "the charset parameter of the HTTP Content-Type header, if any");
  cmd->add_option("--parser", args->parser, "HTML parser: libxml2 (default) or gumbo")
      ->check(CLI::IsMember({"libxml2", "gumbo"}));
  cmd->add_option("FILE", args->file, "the HTML file, or - for standard input")->required();
  cmd->callback([&exit, args] { exit.value = run_extract(*args); });
}

}  // namespace wirewatch::cli
