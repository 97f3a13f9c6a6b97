#include "common/cli_args.h"

#include <cstdio>
#include <iostream>
#include <sstream>

#include "csm/error.h"

namespace csm::cli {

Args::Args(std::string program, std::string summary, std::vector<Option> options)
    : program_(std::move(program)), summary_(std::move(summary)), options_(std::move(options)) {
  options_.push_back({"help", "", "show this help and exit"});
}

const Option* Args::find(const std::string& name) const {
  for (const auto& o : options_)
    if (o.name == name || (!o.alias.empty() && o.alias == name)) return &o;
  return nullptr;
}

bool Args::parse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) positional_.push_back(argv[i]);
      break;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const Option* option = find(name);
    if (!option)
      throw Error(ErrorCode::InvalidArgument, program_ + ": unknown option --" + name, "see " + program_ + " --help");
    if (name == "help") {
      std::cout << help();
      return false;
    }
    if (option->value_name.empty()) {
      if (inline_value) throw Error(ErrorCode::InvalidArgument, program_ + ": --" + name + " takes no value");
      value = "1";
    } else if (!inline_value) {
      if (i + 1 >= argc)
        throw Error(ErrorCode::InvalidArgument, program_ + ": --" + name + " needs a value (" + option->value_name + ")");
      value = argv[++i];
    }
    auto& slot = values_[option->name];
    if (!slot.empty() && !option->repeatable)
      throw Error(ErrorCode::InvalidArgument, program_ + ": --" + name + " given more than once");
    slot.push_back(value);
  }
  return true;
}

void Args::expect_no_positional() const {
  if (!positional_.empty())
    throw Error(ErrorCode::InvalidArgument, program_ + ": unexpected argument \"" + positional_.front() + "\"",
                "options start with -- (see " + program_ + " --help)");
}

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }

std::string Args::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it != values_.end()) return it->second.back();
  const Option* o = find(name);
  return o ? o->default_value : std::string();
}

std::vector<std::string> Args::all(const std::string& name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<double> Args::number(const std::string& name) const {
  const std::string s = get(name);
  if (s.empty()) return std::nullopt;
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error(ErrorCode::InvalidArgument, program_ + ": --" + name + " expects a number, got \"" + s + "\"");
}

std::optional<long long> Args::integer(const std::string& name) const {
  const std::string s = get(name);
  if (s.empty()) return std::nullopt;
  try {
    size_t used = 0;
    const long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error(ErrorCode::InvalidArgument, program_ + ": --" + name + " expects an integer, got \"" + s + "\"");
}

std::string Args::help() const {
  std::ostringstream out;
  out << "Usage: " << program_ << " [options]\n" << summary_ << "\n\nOptions:\n";
  for (const auto& o : options_) {
    std::string left = "  --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    if (left.size() < 28) left.resize(28, ' ');
    else left += "\n" + std::string(28, ' ');
    out << left << o.help;
    if (!o.default_value.empty()) out << " (default: " << o.default_value << ")";
    if (o.repeatable) out << " [repeatable]";
    out << "\n";
  }
  return out.str();
}

int run_main(const char* program, int (*body)(int, char**), int argc, char** argv) {
  try {
    return body(argc, argv);
  } catch (const Error& e) {
    std::string message = e.what();
    const std::string own = std::string(program) + ": ";
    if (message.rfind(own, 0) == 0) message.erase(0, own.size());  // said once, not twice
    std::fprintf(stderr, "%s: error: %s\n", program, message.c_str());
    if (!e.hint().empty()) std::fprintf(stderr, "%s: hint: %s\n", program, e.hint().c_str());
    return exit_status(e.code());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: error: out of memory\n", program);
    return exit_status(ErrorCode::OutOfMemory);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", program, e.what());
    return exit_status(ErrorCode::Internal);
  }
}

}  // namespace csm::cli
