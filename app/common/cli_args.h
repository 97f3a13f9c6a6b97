#pragma once
// Shared command-line parsing for the csm-* tools: GNU-style long options
// (--name value, --name=value, boolean --flag), a generated --help, and
// csm::Error (InvalidArgument) for anything unknown or malformed.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace csm::cli {

struct Option {
  std::string name;         // without the leading "--"
  std::string value_name;   // empty: a boolean flag
  std::string help;
  std::string default_value;
  bool repeatable = false;
  std::string alias;        // an older spelling, still accepted (read under `name`)
};

class Args {
 public:
  Args(std::string program, std::string summary, std::vector<Option> options);

  // Parses argv; returns false when --help was asked (help is then printed to stdout).
  bool parse(int argc, char** argv);

  bool has(const std::string& name) const;
  std::string get(const std::string& name) const;  // the value, else the default
  std::vector<std::string> all(const std::string& name) const;
  std::optional<double> number(const std::string& name) const;
  std::optional<long long> integer(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // For tools that take no operands: a stray word (say "-quiet") is an error, not ignored.
  void expect_no_positional() const;
  std::string help() const;

 private:
  const Option* find(const std::string& name) const;
  std::string program_, summary_;
  std::vector<Option> options_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// Runs `body`, turning every csm::Error / std::exception into a message on
// stderr and a distinct exit status instead of an abort.
int run_main(const char* program, int (*body)(int, char**), int argc, char** argv);

}  // namespace csm::cli
