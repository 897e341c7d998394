#include "sim/io/config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_set>
#include <utility>

#include "sim/core/error.hpp"
#include "sim/core/generators.hpp"
#include "sim/io/utf8.hpp"

namespace wom {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

// ---------------------------------------------------------------------------------------
// The merged config tree. yaml-cpp nodes cannot be merged while keeping each value's file,
// so the files are converted into this small tree, which remembers where every key and
// value was written (a file and line, or the --set argument).

struct Origin {
  std::string file;     // the file as named to the user
  int line = 0;         // 1-based; 0 = unknown
  std::string set_arg;  // non-empty: the value came from this --set argument

  std::string where() const {
    if (!set_arg.empty()) return fmt::format("--set '{}'", set_arg);
    if (line > 0) return fmt::format("{}:{}", file, line);
    return file;
  }
  /// The folder that anchors a relative path written here.
  fs::path base_dir() const {
    if (!set_arg.empty()) return fs::current_path();
    fs::path dir = fs::path(file).parent_path();
    return dir.empty() ? fs::current_path() : fs::absolute(dir);
  }
};

struct Entry;

struct Node {
  enum class Kind { Null, Scalar, Sequence, Map };
  Kind kind = Kind::Null;
  // Plain members only: yaml-cpp's Node assignment rebinds shared storage, which would
  // corrupt values copied between trees while merging.
  std::string scalar;          // Scalar: the text as written
  std::vector<Node> items;     // Sequence
  std::vector<Entry> entries;  // Map, in file order
  Origin key_at;               // where the key naming this node was written
  Origin at;                   // where the value was written

  bool is_null() const { return kind == Kind::Null; }
  bool is_map() const { return kind == Kind::Map; }
  // Defined below Entry: they need it complete.
  Node* find(const std::string& key);
  const Node* find(const std::string& key) const;
  /// The value at `key` unless absent or null (null means "not set").
  const Node* get(const std::string& key) const;
  void erase(const std::string& key);
};

/// One key of a map and its value. A named struct rather than std::pair<std::string, Node>:
/// a vector of pairs of a still-incomplete Node is not portable (clang with libstdc++
/// refuses it), while std::vector<Entry> of an incomplete Entry is allowed since C++17.
struct Entry {
  std::string key;
  Node value;
};

Node* Node::find(const std::string& key) {
  for (auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

const Node* Node::find(const std::string& key) const {
  for (const auto& [k, v] : entries)
    if (k == key) return &v;
  return nullptr;
}

const Node* Node::get(const std::string& key) const {
  const Node* n = find(key);
  return n && !n->is_null() ? n : nullptr;
}

void Node::erase(const std::string& key) {
  std::erase_if(entries, [&](const Entry& e) { return e.key == key; });
}

std::string join_key(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

std::string describe(const Node& n) {
  switch (n.kind) {
    case Node::Kind::Null:
      return "nothing (null)";
    case Node::Kind::Map:
      return "a map of keys";
    case Node::Kind::Sequence:
      return "a list";
    case Node::Kind::Scalar:
      return fmt::format("'{}'", n.scalar);
  }
  return "?";
}

std::string join_list(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string s;
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? sep : "") + items[i];
  return s;
}

/// Deep merge: maps merge key by key, anything else replaces. A null in `over` replaces too,
/// which unsets the key (validation treats null as absent).
void merge_into(Node& base, const Node& over) {
  if (base.is_map() && over.is_map()) {
    for (const auto& [k, v] : over.entries) {
      if (Node* b = base.find(k)) {
        if (b->is_map() && v.is_map()) {
          merge_into(*b, v);
        } else {
          *b = v;
        }
      } else {
        base.entries.push_back(Entry{k, v});
      }
    }
    return;
  }
  Origin key_at = base.key_at;
  base = over;
  if (over.key_at.file.empty() && over.key_at.set_arg.empty()) base.key_at = key_at;
}

/// yaml-cpp → Node. Dotted keys become nested maps; a key given twice in one file is an
/// error (yaml-cpp would keep both silently).
class Converter {
 public:
  Converter(std::string file, std::string set_arg) : file_(std::move(file)), set_arg_(std::move(set_arg)) {}

  /// A config nests a few levels and holds at most a few thousand values; YAML aliases can
  /// make a node contain itself (endless) or repeat others exponentially (a "billion laughs"):
  /// both are refused before they exhaust the stack or the memory. What aliases repeat has a
  /// tighter cap than what is written out: 289 bytes of aliases repeating 66 000 values took
  /// 0.15 s here (2 s under ASan, the fuzzer's timeout when shared), and a config that shares a
  /// block through an anchor repeats tens of values, not thousands.
  static constexpr int kMaxDepth = 64;
  static constexpr std::size_t kMaxValues = 100'000;
  static constexpr std::size_t kMaxRepeated = 10'000;

  Node convert(const YAML::Node& y, const Origin& fallback, const std::string& path) {
    struct Depth {
      int& d;
      explicit Depth(int& x) : d(++x) {}
      ~Depth() { --d; }
    } depth(depth_);
    Node n;
    n.at = origin(y, fallback);
    n.key_at = fallback;
    if (depth_ > kMaxDepth)
      throw Error(fmt::format("{}: {}: nested more than {} levels deep (a YAML alias that contains itself?)",
                              n.at.where(), path.size() > 40 ? path.substr(0, 40) + "..." : path, kMaxDepth));
    if (++values_ > kMaxValues)
      throw Error(fmt::format(
          "{}: the config holds more than {} values (YAML aliases that repeat other aliases?): write it out plainly",
          file_.empty() ? n.at.where() : file_, kMaxValues));
    // An alias is its anchor's node, mark included: a node met again is an alias's repeat.
    const YAML::Mark mark = y.Mark();
    if (!mark.is_null() && !seen_.insert(mark.pos).second && ++repeated_ > kMaxRepeated)
      throw Error(fmt::format(
          "{}: YAML aliases repeat more than {} values (aliases that repeat other aliases?): write them out plainly",
          file_.empty() ? n.at.where() : file_, kMaxRepeated));
    switch (y.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        n.kind = Node::Kind::Null;
        n.at = fallback;  // a null's own mark points past the key: use the key's line
        break;
      case YAML::NodeType::Scalar:
        n.kind = Node::Kind::Scalar;
        n.scalar = y.Scalar();
        break;
      case YAML::NodeType::Sequence:
        n.kind = Node::Kind::Sequence;
        for (std::size_t i = 0; i < y.size(); ++i) {
          Node item = convert(y[i], n.at, fmt::format("{}[{}]", path, i));
          item.key_at = item.at;
          n.items.push_back(std::move(item));
        }
        break;
      case YAML::NodeType::Map:
        n.kind = Node::Kind::Map;
        for (auto it = y.begin(); it != y.end(); ++it) {
          Origin key_at = origin(it->first, n.at);
          if (!it->first.IsScalar() || it->first.Scalar().empty()) {
            throw Error(
                fmt::format("{}: {}: keys must be plain names", key_at.where(), path.empty() ? "config" : path));
          }
          const std::string& key = it->first.Scalar();
          if (key == "<<" && it->first.Tag() != "!")  // unquoted: YAML 1.1's merge key, which yaml-cpp does not do
            throw Error(fmt::format(
                "{}: {}: '<<' (a YAML merge key) is not supported: write the keys out, or put the shared keys in a "
                "file and name it in 'extends:'",
                key_at.where(), path.empty() ? "config" : path));
          std::vector<std::string> parts = split_key(key);
          for (const auto& p : parts)
            if (p.empty()) throw Error(fmt::format("{}: malformed key '{}'", key_at.where(), join_key(path, key)));
          Node value = convert(it->second, key_at, join_key(path, key));
          insert(n, parts, 0, std::move(value), key_at, path);
        }
        break;
    }
    return n;
  }

 private:
  Origin origin(const YAML::Node& y, const Origin& fallback) const {
    if (!set_arg_.empty()) return Origin{file_, 0, set_arg_};
    YAML::Mark m = y.Mark();
    if (m.is_null() || m.line < 0) return fallback;
    return Origin{file_, m.line + 1, {}};
  }

  void insert(Node& map, const std::vector<std::string>& parts, std::size_t i, Node value, const Origin& key_at,
              const std::string& path) {
    const std::string full = join_key(path, parts[i]);
    Node* existing = map.find(parts[i]);
    if (i + 1 == parts.size()) {
      value.key_at = key_at;
      if (!existing) {
        map.entries.push_back(Entry{parts[i], std::move(value)});
      } else if (existing->is_map() && value.is_map()) {
        for (auto& [k, v] : value.entries) {
          Origin at = v.key_at;  // copied: `v` is moved into the call
          insert(*existing, {k}, 0, std::move(v), at, full);
        }
      } else {
        throw Error(
            fmt::format("{}: duplicate key '{}' (first given at {})", key_at.where(), full, existing->key_at.where()));
      }
      return;
    }
    if (!existing) {
      Node section;
      section.kind = Node::Kind::Map;
      section.key_at = section.at = key_at;
      map.entries.push_back(Entry{parts[i], std::move(section)});
      existing = &map.entries.back().value;
    } else if (!existing->is_map()) {
      throw Error(
          fmt::format("{}: duplicate key '{}' (first given at {})", key_at.where(), full, existing->key_at.where()));
    }
    insert(*existing, parts, i + 1, std::move(value), key_at, full);
  }

  std::string file_;
  std::string set_arg_;
  int depth_ = 0;
  std::size_t values_ = 0;
  std::size_t repeated_ = 0;
  std::unordered_set<int> seen_;  // marks (byte offsets) of the nodes converted so far
};

// ---------------------------------------------------------------------------------------
// Reading files and following `extends:`.

/// The 1-based line of byte `pos` of `text`.
int line_of(const std::string& text, std::size_t pos) {
  return 1 + int(std::count(text.begin(), text.begin() + std::ptrdiff_t(std::min(pos, text.size())), '\n'));
}

/// Why `text` is not UTF-8 text YAML can read (empty when it is): a NUL byte (binary data, or a
/// UTF-16 file) or a byte sequence that is not UTF-8 (a file in another encoding).
std::string text_problem(const std::string& text, const std::string& file) {
  if (const auto nul = text.find('\0'); nul != std::string::npos)
    return fmt::format(
        "{}:{}: not a text file: byte {} is a NUL byte (binary data, or a UTF-16 file: save it as UTF-8)", file,
        line_of(text, nul), nul + 1);
  // Strict UTF-8: JSON (summary.json) takes nothing else, not even overlong forms.
  if (const std::size_t i = utf8_invalid_at(text); i != std::string::npos)
    return fmt::format(
        "{}:{}: not UTF-8 text: byte {} is 0x{:02x} (binary data, or text in another encoding: save "
        "it as UTF-8)",
        file, line_of(text, i), i + 1, static_cast<unsigned char>(text[i]));
  return {};
}

/// A hint for a YAML syntax error at 1-based `line`: YAML forbids tabs in indentation, and
/// yaml-cpp's message does not say so.
std::string tab_hint(const std::string& text, int line) {
  std::istringstream in(text);
  std::string l;
  for (int i = 1; std::getline(in, l); ++i) {
    if (i < line - 1) continue;
    if (i > line) break;
    const std::size_t indent = l.find_first_not_of(" \t");
    if (l.substr(0, indent == std::string::npos ? l.size() : indent).find('\t') != std::string::npos)
      return fmt::format(" (line {} is indented with a tab, which YAML does not allow: indent with spaces)", i);
  }
  return {};
}

/// The whole file; `failure` starts the message when it cannot be read.
std::string read_text(const std::string& path, const std::string& failure) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(failure + ": No such file or directory");
  if (fs::is_directory(path, ec)) throw Error(failure + ": it is a directory");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    throw Error(failure + ": " + (err ? std::strerror(err) : "unreadable"));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(failure + ": read error");
  return ss.str();
}

fs::path identity(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? fs::absolute(path).lexically_normal() : p;
}

/// The line where a YAML document after the first one holds something, or 0 when none does.
/// Not YAML::LoadAll: yaml-cpp 0.7's loops forever on some malformed text (a stray ',' reads as
/// endless empty documents), so at most 64 documents are looked at, through parser events.
int later_document_line(const std::string& text) {
  struct Documents : YAML::EventHandler {
    int count = 0, line = 0;
    void content(const YAML::Mark& m) {
      if (count > 1 && line == 0) line = m.line + 1;
    }
    void OnDocumentStart(const YAML::Mark&) override { ++count; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { content(m); }
    void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { content(m); }
    void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
      content(m);
    }
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
      content(m);
    }
    void OnMapEnd() override {}
  } docs;
  std::istringstream in(text);
  YAML::Parser parser(in);
  for (int i = 0; i < 64 && docs.line == 0 && parser.HandleNextDocument(docs); ++i) {
  }
  return docs.line;
}

class Loader {
 public:
  std::vector<std::string> files;  // parents first

  /// Parses `text` (the content of `file`), merges its parents under it, returns the tree.
  Node load(const std::string& text, const std::string& file, std::vector<fs::path>& stack) {
    if (const std::string why = text_problem(text, file); !why.empty()) throw Error(why);
    YAML::Node y;
    try {
      y = YAML::Load(text);  // the first document
      // A second document would be ignored without a word: refuse it.
      if (const int line = later_document_line(text); line > 0)
        throw Error(fmt::format(
            "{}:{}: a second YAML document (after '---'): a config file holds one; remove it, or move it to a "
            "file of its own",
            file, line));
    } catch (const YAML::DeepRecursion& e) {
      throw Error(fmt::format("{}:{}:{}: YAML syntax error: nested more than {} levels deep", file, e.mark.line + 1,
                              e.mark.column + 1, e.depth() - 1));
    } catch (const YAML::ParserException& e) {
      throw Error(fmt::format("{}:{}:{}: YAML syntax error: {}{}", file, e.mark.line + 1, e.mark.column + 1, e.msg,
                              tab_hint(text, e.mark.line + 1)));
    } catch (const YAML::Exception& e) {
      throw Error(fmt::format("{}: YAML error: {}", file, e.what()));
    }
    if (y.IsNull() || !y.IsDefined()) {
      throw Error(fmt::format("{}: empty config file (expected keys such as 'model', 'graph', 'params')", file));
    }
    Origin top{file, 1, {}};
    if (!y.IsMap()) {
      throw Error(fmt::format("{}: expected a map of keys at the top level (e.g. 'model: sir'), got {}", top.where(),
                              y.IsSequence() ? "a list" : fmt::format("'{}'", y.Scalar())));
    }
    Node root = Converter(file, {}).convert(y, top, "");
    root.key_at = top;

    Node merged;
    merged.kind = Node::Kind::Map;
    merged.key_at = merged.at = top;
    if (const Node* ext = root.find("extends")) {
      std::vector<std::pair<std::string, Origin>> parents;
      if (ext->kind == Node::Kind::Scalar) {
        parents.emplace_back(ext->scalar, ext->at);
      } else if (ext->kind == Node::Kind::Sequence) {
        for (const auto& item : ext->items) {
          if (item.kind != Node::Kind::Scalar)
            throw Error(fmt::format("{}: extends: expected a file name or a list of file names", item.at.where()));
          parents.emplace_back(item.scalar, item.at);
        }
      } else if (!ext->is_null()) {
        throw Error(fmt::format("{}: extends: expected a file name or a list of file names, got {}", ext->at.where(),
                                describe(*ext)));
      }
      for (const auto& [name, at] : parents) {
        fs::path p(name);
        if (p.is_relative()) p = fs::path(file).parent_path() / p;
        std::string parent = p.lexically_normal().string();
        fs::path id = identity(parent);
        if (std::find(stack.begin(), stack.end(), id) != stack.end()) {
          std::vector<std::string> chain;
          chain.reserve(stack.size() + 1);
          for (const auto& s : stack) chain.push_back(s.string());
          chain.push_back(id.string());
          throw Error(fmt::format("{}: extends '{}' makes a cycle: {}", at.where(), name, join_list(chain, " -> ")));
        }
        std::string text_parent =
            read_text(parent, fmt::format("{}: extends '{}': cannot read '{}'", at.where(), name, parent));
        stack.push_back(id);
        Node parent_tree = load(text_parent, parent, stack);
        stack.pop_back();
        merge_into(merged, parent_tree);
      }
      root.erase("extends");
    }
    files.push_back(file);
    merge_into(merged, root);
    return merged;
  }
};

/// Applies one `--set key=value` to the tree.
void apply_set(Node& root, const std::string& arg) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw Error(fmt::format("--set '{}': expected key=value, e.g. --set params.beta=0.3", arg));
  std::string key = arg.substr(0, eq);
  std::string value_text = arg.substr(eq + 1);
  // As in a config file: the value ends up in summary.json, which holds UTF-8 only.
  if (const std::size_t bad = utf8_invalid_at(arg); bad != std::string::npos)
    throw Error(fmt::format("--set '{}': not UTF-8 text: byte {} is 0x{:02x} (text in another encoding?)", arg, bad + 1,
                            static_cast<unsigned char>(arg[bad])));
  for (const auto& p : split_key(key))
    if (p.empty()) throw Error(fmt::format("--set '{}': malformed key '{}'", arg, key));
  if (key == "extends" || key.rfind("extends.", 0) == 0)
    throw Error(fmt::format("--set '{}': 'extends' can be given only in a config file", arg));
  // YAML reads an empty value as null, which would unset the key without a word.
  if (value_text.find_first_not_of(" \t") == std::string::npos)
    throw Error(fmt::format(
        "--set '{}': empty value; give one (--set {}=VALUE), --set {}=null to unset the key (its default applies), "
        "or --set '{}=\"\"' for an empty string",
        arg, key, key, key));
  YAML::Node y;
  try {
    y = YAML::Load(value_text);
  } catch (const YAML::Exception& e) {
    throw Error(fmt::format("--set '{}': cannot parse the value as YAML: {}", arg, e.msg));
  }
  Origin at{"", 0, arg};
  Converter conv("", arg);
  // Wrap the value in maps along the dotted key, then merge like a config file on top.
  Node value = conv.convert(y, at, key);
  std::vector<std::string> parts = split_key(key);
  for (std::size_t i = parts.size(); i-- > 0;) {
    Node wrap;
    wrap.kind = Node::Kind::Map;
    wrap.key_at = wrap.at = at;
    value.key_at = at;
    wrap.entries.push_back(Entry{parts[i], std::move(value)});
    value = std::move(wrap);
  }
  merge_into(root, value);
}

// ---------------------------------------------------------------------------------------
// Validation.

std::string suggestion(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  auto lower = [](std::string s) {
    for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  // Accept one edit in short names and about one in three in longer ones. A candidate whose
  // length differs by more than that is too far whatever it is (the distance is at least the
  // difference): skipping it keeps a long unknown key (a pasted line) from costing
  // length × candidates of work.
  const std::size_t most = std::max<std::size_t>(1, word.size() / 3);
  for (const auto& c : candidates) {
    if ((c.size() > word.size() ? c.size() - word.size() : word.size() - c.size()) > most) continue;
    std::size_t d = lower(c) == lower(word) ? 0 : edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  std::size_t limit = std::max<std::size_t>(1, std::min(word.size(), best.size()) / 3);
  return best_d <= limit ? best : std::string();
}

class Checker {
 public:
  std::vector<std::string> errors;
  std::vector<std::string> warnings;

  void error(std::string s) { errors.push_back(std::move(s)); }

  /// Reports keys of `map` not in `known`; `all_paths` (full dotted keys) give suggestions
  /// for keys written in the wrong section.
  void check_keys(const Node& map, const std::string& path, const std::vector<std::string>& known,
                  const std::vector<std::string>& all_paths) {
    for (const auto& [k, v] : map.entries) {
      if (std::find(known.begin(), known.end(), k) != known.end()) continue;
      std::string hint;
      std::string near = suggestion(k, known);
      if (!near.empty()) {
        hint = fmt::format("; did you mean '{}'?", join_key(path, near));
      } else {
        // Perhaps a key of another section: compare with the last part of every known key.
        std::vector<std::string> lasts;
        for (const auto& p : all_paths) {
          auto dot = p.rfind('.');
          lasts.push_back(dot == std::string::npos ? p : p.substr(dot + 1));
        }
        std::string last = suggestion(k, lasts);
        if (!last.empty()) {
          const std::string& full = all_paths[std::size_t(std::find(lasts.begin(), lasts.end(), last) - lasts.begin())];
          if (full != join_key(path, k)) hint = fmt::format("; did you mean '{}'?", full);
        }
      }
      error(fmt::format("{}: unknown key '{}'{} ({})", v.key_at.where(), join_key(path, k), hint,
                        known.empty()
                            ? fmt::format("'{}' takes no keys", path)
                            : fmt::format("accepted in {}: {}", path.empty() ? "the top level" : "'" + path + "'",
                                          join_list(known))));
    }
  }

  /// A section: null/absent → nullptr; a non-map is an error.
  const Node* section(const Node& parent, const std::string& key, const std::string& path) {
    const Node* n = parent.get(key);
    if (!n) return nullptr;
    if (!n->is_map()) {
      if (!n->at.set_arg.empty())
        error(fmt::format("{}: {} is a section of keys, not a value: set one of its keys, e.g. --set {}.KEY=VALUE",
                          n->at.where(), join_key(path, key), join_key(path, key)));
      else
        error(fmt::format("{}: {}: expected a section of keys, got {}", n->at.where(), join_key(path, key),
                          describe(*n)));
      return nullptr;
    }
    return n;
  }

  bool scalar(const Node& n, const std::string& key, const std::string& expected) {
    if (n.kind == Node::Kind::Scalar) return true;
    error(fmt::format("{}: {}: expected {}, got {}", n.at.where(), key, expected, describe(n)));
    return false;
  }

  std::optional<double> real(const Node& n, const std::string& key, const std::string& accepted) {
    if (!scalar(n, key, "a number")) return std::nullopt;
    if (auto v = parse_real(n.scalar)) return v;
    if (too_large(n.scalar))  // "1e400": a number, beyond what a double holds
      out_of_range(n, key, accepted);
    else
      error(fmt::format("{}: {}: expected a number, got '{}' (accepted: {})", n.at.where(), key, n.scalar, accepted));
    return std::nullopt;
  }

  std::optional<std::int64_t> integer(const Node& n, const std::string& key, const std::string& accepted) {
    if (!scalar(n, key, "an integer")) return std::nullopt;
    if (auto v = parse_int(n.scalar)) return v;
    // A whole number beyond 64 bits ("9223372036854775808", "1e19", "1e400") is out of range,
    // not of the wrong type.
    const auto d = parse_real(n.scalar);
    if ((d && std::isfinite(*d) && std::floor(*d) == *d) || too_large(n.scalar))
      out_of_range(n, key, accepted);
    else
      error(fmt::format("{}: {}: expected an integer, got '{}' (accepted: {})", n.at.where(), key, n.scalar, accepted));
    return std::nullopt;
  }

  /// A number too large for a double ("1e400", "-1e999").
  static bool too_large(const std::string& raw) {
    const std::string s = !raw.empty() && raw[0] == '+' ? raw.substr(1) : raw;
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc::result_out_of_range && end == s.data() + s.size() && !s.empty();
  }

  std::optional<bool> boolean(const Node& n, const std::string& key) {
    if (!scalar(n, key, "true or false")) return std::nullopt;
    if (auto v = parse_bool(n.scalar)) return v;
    error(fmt::format("{}: {}: expected true or false, got '{}'", n.at.where(), key, n.scalar));
    return std::nullopt;
  }

  std::optional<std::string> string(const Node& n, const std::string& key, const std::vector<std::string>& choices) {
    if (!scalar(n, key, choices.empty() ? "a string" : "one of: " + join_list(choices))) return std::nullopt;
    const std::string& s = n.scalar;
    if (choices.empty() || std::find(choices.begin(), choices.end(), s) != choices.end()) return s;
    std::string near = suggestion(s, choices);
    error(fmt::format("{}: {}: unknown value '{}'{} (accepted: one of: {})", n.at.where(), key, s,
                      near.empty() ? "" : fmt::format("; did you mean '{}'?", near), join_list(choices)));
    return std::nullopt;
  }

  /// A number in a range; `text` is the range as shown to the user.
  std::optional<double> real_in(const Node& n, const std::string& key, double lo, double hi, bool lo_open, bool hi_open,
                                const std::string& text) {
    auto v = real(n, key, text);
    if (!v) return v;
    bool ok = !std::isnan(*v) && (lo_open ? *v > lo : *v >= lo) && (hi_open ? *v < hi : *v <= hi);
    if (!ok) return out_of_range(n, key, text), std::nullopt;
    return v;
  }

  std::optional<std::int64_t> int_in(const Node& n, const std::string& key, std::int64_t lo, std::int64_t hi,
                                     const std::string& text) {
    auto v = integer(n, key, text);
    if (!v) return v;
    if (*v < lo || *v > hi) return out_of_range(n, key, text), std::nullopt;
    return v;
  }

  void out_of_range(const Node& n, const std::string& key, const std::string& accepted) {
    error(fmt::format("{}: {} = {} is out of range: accepted {}", n.at.where(), key, n.scalar, accepted));
  }

  static std::optional<double> parse_real(const std::string& raw) {
    std::string s = raw;
    if (!s.empty() && s[0] == '+') s.erase(0, 1);
    // YAML's spellings of infinity and NaN.
    if (s == ".inf" || s == ".Inf" || s == ".INF") return std::numeric_limits<double>::infinity();
    if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -std::numeric_limits<double>::infinity();
    if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    // from_chars accepts "inf"/"nan"; YAML does not, and neither do we.
    if (!std::isfinite(v) && (s.find_first_of("iInN") != std::string::npos)) return std::nullopt;
    return v;
  }

  static std::optional<std::int64_t> parse_int(const std::string& raw) {
    std::string s = raw;
    if (!s.empty() && s[0] == '+') s.erase(0, 1);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return v;
    // Integral reals ("1e5", "1000.0") are accepted: population sizes are often written so.
    auto d = parse_real(s);
    if (d && std::isfinite(*d) && std::floor(*d) == *d && std::fabs(*d) < 9.2e18) return std::int64_t(*d);
    return std::nullopt;
  }

  static std::optional<bool> parse_bool(const std::string& s) {
    std::string l;
    for (char c : s) l += char(std::tolower(static_cast<unsigned char>(c)));
    if (l == "true" || l == "yes" || l == "on") return true;
    if (l == "false" || l == "no" || l == "off") return false;
    return std::nullopt;
  }
};

// The engine's keys. Model parameters are added from the model's specs.
const std::vector<std::string> kTopKeys = {"model", "seed",      "replicates", "time",
                                           "graph", "followers", "output",     "params"};
const std::vector<std::string> kTimeKeys = {"steps", "dt", "step_days"};
const std::vector<std::string> kGraphKeys = {"generator", "n",      "mean_degree", "m",       "triad",
                                             "k",         "rewire", "degree",      "blocks",  "p_in",
                                             "p_out",     "path",   "directed",    "reverse", "reorder"};
const std::vector<std::string> kDegreeKeys = {"distribution", "exponent", "min", "max", "mean", "file"};
const std::vector<std::string> kOutputKeys = {"dir"};
const std::vector<std::string> kGenerators = {
    "erdos_renyi", "barabasi_albert", "holme_kim", "watts_strogatz", "configuration", "sbm", "complete", "file"};
const std::vector<std::string> kDistributions = {"power_law", "geometric", "regular", "file"};
const std::vector<std::string> kReorders = {"none", "rcm", "degree"};

/// The keys each generator reads, besides generator, directed and reorder.
std::vector<std::string> generator_keys(const std::string& g) {
  if (g == "erdos_renyi") return {"n", "mean_degree"};
  if (g == "barabasi_albert") return {"n", "m"};
  if (g == "holme_kim") return {"n", "m", "triad"};
  if (g == "watts_strogatz") return {"n", "k", "rewire"};
  if (g == "configuration") return {"n", "degree"};
  if (g == "sbm") return {"n", "blocks", "p_in", "p_out"};
  if (g == "complete") return {"n"};
  if (g == "file") return {"path", "reverse"};
  return {};
}

// Limits shared with the generators (generators.cpp checks them again, without lines).
constexpr std::int64_t kMaxAgents = std::int64_t(std::numeric_limits<vid>::max()) - 1;
constexpr std::int64_t kMaxPowerLawDegree = 10'000'000;

/// A readable data file, resolved against the folder of the file that named it.
std::optional<std::string> data_path(Checker& ck, const Node& n, const std::string& key) {
  auto s = ck.string(n, key, {});
  if (!s) return std::nullopt;
  if (s->empty()) {
    ck.error(fmt::format("{}: {}: expected a file path, got an empty string", n.at.where(), key));
    return std::nullopt;
  }
  fs::path p(*s);
  if (p.is_relative()) p = n.at.base_dir() / p;
  std::string resolved = p.lexically_normal().string();
  std::error_code ec;
  if (!fs::exists(resolved, ec)) {
    ck.error(fmt::format("{}: {}: file not found: '{}' (resolved to '{}')", n.at.where(), key, *s, resolved));
    return std::nullopt;
  }
  if (fs::is_directory(resolved, ec)) {
    ck.error(fmt::format("{}: {}: '{}' is a directory, expected a file", n.at.where(), key, resolved));
    return std::nullopt;
  }
  std::ifstream probe(resolved, std::ios::binary);
  if (!probe) {
    ck.error(fmt::format("{}: {}: cannot read '{}': {}", n.at.where(), key, resolved, std::strerror(errno)));
    return std::nullopt;
  }
  return resolved;
}

/// Reads a graph block: `graph:` or, with sect = "followers", the optional follower layer.
void read_graph(Checker& ck, const Node& root, GraphSpec& g, json& out, const std::string& sect = "graph") {
  const Node* gn = ck.section(root, sect, "");
  std::vector<std::string> all_paths;
  if (!gn) {
    out = json{{"generator", g.generator},
               {"n", g.n},
               {"mean_degree", g.mean_degree},
               {"directed", g.directed},
               {"reorder", g.reorder}};
    return;
  }
  all_paths.reserve(kGraphKeys.size() + kDegreeKeys.size());
  for (const auto& k : kGraphKeys) all_paths.push_back(sect + "." + k);
  for (const auto& k : kDegreeKeys) all_paths.push_back(sect + ".degree." + k);
  ck.check_keys(*gn, sect, kGraphKeys, all_paths);

  if (const Node* n = gn->get("generator"))
    if (auto v = ck.string(*n, sect + ".generator", kGenerators)) g.generator = *v;
  const std::vector<std::string> reads = generator_keys(g.generator);
  auto reads_key = [&](const std::string& k) { return std::find(reads.begin(), reads.end(), k) != reads.end(); };

  // Keys the chosen generator ignores are only noted: a what-if that switches generator
  // inherits its parent's other keys, which is harmless.
  for (const auto& [k, v] : gn->entries) {
    if (v.is_null() || k == "generator" || k == "directed" || k == "reorder") continue;
    if (std::find(kGraphKeys.begin(), kGraphKeys.end(), k) == kGraphKeys.end()) continue;
    if (!reads_key(k))
      ck.warnings.push_back(fmt::format("{}: graph.{} is ignored by generator '{}' (it reads: {})", v.key_at.where(), k,
                                        g.generator, join_list(reads)));
  }

  const std::string n_text = fmt::format("[1, {}] (integer)", kMaxAgents);
  bool n_given = false;
  if (const Node* n = gn->get("n"); n && reads_key("n")) {
    if (auto v = ck.int_in(*n, sect + ".n", 1, kMaxAgents, n_text)) g.n = *v, n_given = true;
  }
  const std::int64_t n = g.n;

  if (const Node* b = gn->get("blocks"); b && reads_key("blocks")) {
    if (b->kind != Node::Kind::Sequence || b->items.empty()) {
      ck.error(fmt::format("{}: graph.blocks: expected a non-empty list of block sizes, e.g. [500, 500], got {}",
                           b->at.where(), describe(*b)));
    } else {
      g.blocks.clear();
      std::int64_t total = 0;
      for (std::size_t i = 0; i < b->items.size(); ++i) {
        if (auto v = ck.int_in(b->items[i], fmt::format("{}.blocks[{}]", sect, i), 1, kMaxAgents, n_text)) {
          g.blocks.push_back(*v);
          total += *v;
        }
      }
      if (g.blocks.size() == b->items.size()) {
        if (total > kMaxAgents) {
          ck.error(fmt::format("{}: graph.blocks: the blocks add up to {} agents, more than the maximum {}",
                               b->at.where(), total, kMaxAgents));
        } else if (n_given && total != n) {
          ck.error(
              fmt::format("{}: graph.n = {} disagrees with the sum of graph.blocks = {} (give one or make them "
                          "agree)",
                          gn->get("n")->at.where(), n, total));
        } else {
          g.n = total;
        }
      }
    }
  } else if (g.generator == "sbm") {
    ck.error(
        fmt::format("{}: graph.blocks: missing required key for generator 'sbm' (a list of block sizes, e.g. "
                    "[500, 500])",
                    gn->key_at.where()));
  }

  const std::string below_n = fmt::format("n-1 = {}", g.n - 1);
  if (const Node* v = gn->get("mean_degree"); v && reads_key("mean_degree")) {
    if (auto x = ck.real_in(*v, sect + ".mean_degree", 0, double(g.n - 1), false, false, "[0, " + below_n + "]"))
      g.mean_degree = *x;
  }
  if (const Node* v = gn->get("m"); v && reads_key("m")) {
    if (auto x = ck.int_in(*v, sect + ".m", 1, std::max<std::int64_t>(1, g.n - 1), "[1, " + below_n + "] (integer)"))
      g.m = *x;
  }
  if (const Node* v = gn->get("triad"); v && reads_key("triad")) {
    if (auto x = ck.real_in(*v, sect + ".triad", 0, 1, false, false, "[0, 1]")) g.triad = *x;
  }
  if (const Node* v = gn->get("k"); v && reads_key("k")) {
    const std::string text = "an even integer in [2, " + below_n + "]";
    if (auto x = ck.int_in(*v, sect + ".k", 2, std::max<std::int64_t>(2, g.n - 1), text)) {
      if (*x % 2 != 0)
        ck.out_of_range(*v, sect + ".k", text);
      else
        g.k = *x;
    }
  }
  if (const Node* v = gn->get("rewire"); v && reads_key("rewire")) {
    if (auto x = ck.real_in(*v, sect + ".rewire", 0, 1, false, false, "[0, 1]")) g.rewire = *x;
  }
  if (const Node* v = gn->get("p_in"); v && reads_key("p_in")) {
    if (auto x = ck.real_in(*v, sect + ".p_in", 0, 1, false, false, "[0, 1]")) g.p_in = *x;
  }
  if (const Node* v = gn->get("p_out"); v && reads_key("p_out")) {
    if (auto x = ck.real_in(*v, sect + ".p_out", 0, 1, false, false, "[0, 1]")) g.p_out = *x;
  }
  if (const Node* v = gn->get("directed")) {
    if (auto x = ck.boolean(*v, sect + ".directed")) {
      g.directed = *x;
      if (g.directed && g.generator != "erdos_renyi" && g.generator != "sbm" && g.generator != "file" &&
          g.generator != "complete")
        ck.error(
            fmt::format("{}: graph.directed = true is not supported by generator '{}': accepted false "
                        "(directed graphs come from erdos_renyi, sbm or file)",
                        v->at.where(), g.generator));
    }
  }
  if (const Node* v = gn->get("reverse"); v && reads_key("reverse"))
    if (auto x = ck.boolean(*v, sect + ".reverse")) g.reverse = *x;
  if (const Node* v = gn->get("reorder"))
    if (auto x = ck.string(*v, sect + ".reorder", kReorders)) g.reorder = *x;

  if (const Node* v = gn->get("path"); v && reads_key("path")) {
    if (auto p = data_path(ck, *v, sect + ".path")) g.path = *p;
  } else if (g.generator == "file") {
    ck.error(fmt::format("{}: graph.path: missing required key for generator 'file' (an edge list, plain or .gz)",
                         gn->key_at.where()));
  }

  json degree;
  if (reads_key("degree")) {
    DegreeSpec& d = g.degree;
    if (const Node* dn = ck.section(*gn, "degree", sect)) {
      ck.check_keys(*dn, sect + ".degree", kDegreeKeys, all_paths);
      if (const Node* v = dn->get("distribution"))
        if (auto x = ck.string(*v, sect + ".degree.distribution", kDistributions)) d.distribution = *x;
      const bool power_law = d.distribution == "power_law";
      if (const Node* v = dn->get("exponent"))
        if (auto x = ck.real_in(*v, sect + ".degree.exponent", 1, 1e300, true, false, "(1, inf)")) d.exponent = *x;
      const std::string deg_max = fmt::format("{}", kMaxPowerLawDegree);
      if (const Node* v = dn->get("min"))
        if (auto x = ck.int_in(*v, sect + ".degree.min", 1, kMaxPowerLawDegree, "[1, " + deg_max + "] (integer)"))
          d.min = *x;
      if (const Node* v = dn->get("max"))
        if (auto x = ck.int_in(*v, sect + ".degree.max", d.min, kMaxPowerLawDegree,
                               fmt::format("[graph.degree.min = {}, {}] (integer)", d.min, deg_max)))
          d.max = *x;
      if (const Node* v = dn->get("mean")) {
        const double lo = d.distribution == "geometric" ? 1.0 : 0.0;
        if (auto x = ck.real_in(*v, sect + ".degree.mean", lo, double(g.n - 1), false, false,
                                fmt::format("[{}, {}]", lo, below_n)))
          d.mean = *x;
      }
      // Keys the chosen distribution does not read are noted, as for the generator's keys.
      for (const auto& [k, v] : dn->entries) {
        if (v.is_null() || k == "distribution") continue;
        bool read =
            (k == "file") == (d.distribution == "file") && (k == "file" || (power_law ? k != "mean" : k == "mean"));
        if (!read && std::find(kDegreeKeys.begin(), kDegreeKeys.end(), k) != kDegreeKeys.end())
          ck.warnings.push_back(fmt::format("{}: graph.degree.{} is ignored by degree distribution '{}'",
                                            v.key_at.where(), k, d.distribution));
      }
      if (const Node* v = dn->get("file")) {
        if (auto p = data_path(ck, *v, sect + ".degree.file")) d.file = *p;
      } else if (d.distribution == "file") {
        ck.error(
            fmt::format("{}: graph.degree.file: missing required key for degree distribution 'file' (one degree "
                        "per line)",
                        dn->key_at.where()));
      }
    } else if (d.distribution == "file") {
      ck.error(fmt::format("{}: graph.degree.file: missing required key", gn->key_at.where()));
    }
    degree = json{{"distribution", d.distribution}};
    if (d.distribution == "power_law") degree["exponent"] = d.exponent;
    if (d.distribution == "power_law") degree["min"] = d.min, degree["max"] = d.max;
    if (d.distribution == "geometric" || d.distribution == "regular") degree["mean"] = d.mean;
    if (d.distribution == "file") degree["file"] = d.file;
  }

  out = json::object();
  out["generator"] = g.generator;
  if (g.generator != "file") out["n"] = g.n;
  for (const auto& k : reads) {
    if (k == "n") continue;
    if (k == "mean_degree") out[k] = g.mean_degree;
    if (k == "m") out[k] = g.m;
    if (k == "triad") out[k] = g.triad;
    if (k == "k") out[k] = g.k;
    if (k == "rewire") out[k] = g.rewire;
    if (k == "degree") out[k] = degree;
    if (k == "blocks") out[k] = g.blocks;
    if (k == "p_in") out[k] = g.p_in;
    if (k == "p_out") out[k] = g.p_out;
    if (k == "path") out[k] = g.path;
    if (k == "reverse") out[k] = g.reverse;
  }
  out["directed"] = g.directed;
  out["reorder"] = g.reorder;
}

/// Model parameters: walks `params:` against the specs' dotted keys.
class ParamChecker {
 public:
  ParamChecker(Checker& ck, const ModelInfo& info) : ck_(ck), info_(info) {
    for (const auto& s : info.params) {
      leaves_[s.key] = &s;
      all_paths_.push_back("params." + s.key);
      std::vector<std::string> parts = split_key(s.key);
      std::string prefix;
      for (std::size_t i = 0; i < parts.size(); ++i) {
        auto& kids = children_[prefix];
        if (std::find(kids.begin(), kids.end(), parts[i]) == kids.end()) kids.push_back(parts[i]);
        prefix = join_key(prefix, parts[i]);
      }
    }
  }

  Params read(const Node* params, const Origin& fallback, json& out) {
    Params p;
    std::set<std::string> given;
    if (params) walk(*params, "", p, given);
    out = json::object();
    for (const auto& s : info_.params) {
      if (!given.count(s.key)) {
        if (s.has_default) {
          p.set(s.key, default_value(s));
        } else if (s.required) {
          ck_.error(fmt::format("{}: missing required parameter 'params.{}' of model '{}' (accepted: {}{}{})",
                                params ? params->key_at.where() : fallback.where(), s.key, info_.name, s.range_text(),
                                s.unit.empty() ? "" : " " + s.unit, s.help.empty() ? "" : "; " + s.help));
        }
      }
      if (!p.has(s.key)) continue;
      // Nested JSON in spec order, e.g. {"initial": {"fraction": 0.01}}.
      json* at = &out;
      std::vector<std::string> parts = split_key(s.key);
      for (std::size_t i = 0; i + 1 < parts.size(); ++i) at = &(*at)[parts[i]];
      std::visit([&](const auto& v) { (*at)[parts.back()] = v; }, p.values().at(s.key));
    }
    return p;
  }

 private:
  void walk(const Node& map, const std::string& prefix, Params& p, std::set<std::string>& given) {
    const std::string path = prefix.empty() ? "params" : "params." + prefix;
    auto kids = children_.count(prefix) ? children_.at(prefix) : std::vector<std::string>{};
    ck_.check_keys(map, path, kids, all_paths_);
    for (const auto& [k, v] : map.entries) {
      if (std::find(kids.begin(), kids.end(), k) == kids.end() || v.is_null()) continue;
      const std::string rel = join_key(prefix, k);
      const std::string full = "params." + rel;
      auto leaf = leaves_.find(rel);
      if (leaf == leaves_.end()) {  // a section of parameters, e.g. `initial:`
        if (!v.is_map()) {
          if (!v.at.set_arg.empty())
            ck_.error(
                fmt::format("{}: {} is a section of parameters, not a value: set one of its keys, e.g. --set "
                            "{}.{}=VALUE (its keys: {})",
                            v.at.where(), full, full, children_[rel].front(), join_list(children_[rel])));
          else
            ck_.error(fmt::format("{}: {}: expected a section with keys {}, got {}", v.at.where(), full,
                                  join_list(children_[rel]), describe(v)));
          continue;
        }
        walk(v, rel, p, given);
        continue;
      }
      const ParamSpec& s = *leaf->second;
      std::string accepted = s.range_text() + (s.unit.empty() ? "" : " (" + s.unit + ")");
      switch (s.type) {
        case ParamType::Real:
          if (auto x = ck_.real(v, full, accepted)) {
            if (!s.in_range(*x))
              ck_.out_of_range(v, full, accepted);
            else
              p.set(s.key, *x), given.insert(s.key);
          }
          break;
        case ParamType::Int:
          if (auto x = ck_.integer(v, full, accepted)) {
            if (!s.in_range(double(*x)))
              ck_.out_of_range(v, full, accepted);
            else
              p.set(s.key, *x), given.insert(s.key);
          }
          break;
        case ParamType::Bool:
          if (auto x = ck_.boolean(v, full)) p.set(s.key, *x), given.insert(s.key);
          break;
        case ParamType::String:
          if (auto x = ck_.string(v, full, s.choices)) p.set(s.key, *x), given.insert(s.key);
          break;
      }
    }
  }

  Checker& ck_;
  const ModelInfo& info_;
  std::map<std::string, const ParamSpec*> leaves_;
  std::map<std::string, std::vector<std::string>> children_;  // prefix → child names, spec order
  std::vector<std::string> all_paths_;
};

Config validate(const Node& root, const std::string& source, const std::vector<std::string>& files,
                const std::vector<std::string>& sets, const LoadOptions& options) {
  Checker ck;
  Config cfg;
  Scenario& sc = cfg.scenario;
  sc.source_file = source;
  sc.files = files;
  sc.overrides = sets;
  Origin top{source, 0, {}};

  std::vector<std::string> all_paths = {"model", "seed", "replicates"};
  for (const auto& k : kTimeKeys) all_paths.push_back("time." + k);
  for (const auto& k : kGraphKeys) all_paths.push_back("graph." + k);
  for (const auto& k : kOutputKeys) all_paths.push_back("output." + k);
  ck.check_keys(root, "", kTopKeys, all_paths);

  // model
  if (const Node* m = root.get("model")) {
    std::vector<std::string> names;
    for (const auto& info : Registry::instance().all()) names.push_back(info.name);
    if (auto s = ck.string(*m, "model", {})) {
      sc.model = *s;
      sc.info = Registry::instance().find(*s);
      if (!sc.info && !options.graph_only) {
        std::string near = suggestion(*s, names);
        ck.error(fmt::format("{}: model: unknown model '{}'{} (registered models: {})", m->at.where(), *s,
                             near.empty() ? "" : fmt::format("; did you mean '{}'?", near),
                             names.empty() ? "none" : join_list(names)));
      }
    }
  } else if (!options.graph_only) {
    std::vector<std::string> names;
    for (const auto& info : Registry::instance().all()) names.push_back(info.name);
    ck.error(fmt::format("{}: missing required key 'model' (one of: {})", source, join_list(names)));
  }

  // seed, replicates
  if (const Node* n = root.get("seed")) {
    if (ck.scalar(*n, "seed", "a non-negative integer")) {
      const std::string& s = n->scalar;
      std::uint64_t u = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), u);
      if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
        cfg.plan.seed = u;
      } else if (auto i = Checker::parse_int(s)) {
        if (*i < 0)
          ck.out_of_range(*n, "seed", "[0, 2^64-1] (integer)");
        else
          cfg.plan.seed = std::uint64_t(*i);
      } else if (const auto d = Checker::parse_real(s); ec == std::errc::result_out_of_range || Checker::too_large(s) ||
                                                        (d && std::isfinite(*d) && std::floor(*d) == *d)) {
        ck.out_of_range(*n, "seed", "[0, 2^64-1] (integer)");
      } else {
        ck.error(fmt::format("{}: seed: expected a non-negative integer, got '{}' (accepted: [0, 2^64-1])",
                             n->at.where(), s));
      }
    }
  }
  if (const Node* n = root.get("replicates"))
    if (auto v = ck.int_in(*n, "replicates", 1, 10'000'000, "[1, 10000000] (integer)")) cfg.plan.replicates = *v;

  // time
  if (const Node* t = ck.section(root, "time", "")) {
    ck.check_keys(*t, "time", kTimeKeys, all_paths);
    if (const Node* n = t->get("steps"))
      if (auto v = ck.int_in(*n, "time.steps", 1, 1'000'000'000, "[1, 1000000000] (integer)")) sc.steps = *v;
    if (const Node* n = t->get("dt"))
      if (auto v = ck.real_in(*n, "time.dt", 0, 1e12, true, false, "(0, 1e12] (model time units per step)")) sc.dt = *v;
    if (const Node* n = t->get("step_days"))
      if (auto v = ck.real_in(*n, "time.step_days", 0, 36500, true, false, "(0, 36500] days")) sc.step_days = *v;
  }

  // graph
  json graph_json;
  read_graph(ck, root, sc.graph, graph_json);
  sc.warnings = ck.warnings;
  if (ck.errors.empty()) {
    // The generators' own rules are the last word; their message names the key, and the
    // tree knows where that key was written.
    try {
      validate_graph_spec(sc.graph);
    } catch (const Error& e) {
      std::string msg = e.what();
      std::string where = root.get("graph") ? root.get("graph")->key_at.where() : source;
      if (auto pos = msg.find("graph."); pos != std::string::npos) {
        auto end = msg.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.", pos);
        std::string key = msg.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (!key.empty() && key.back() == '.') key.pop_back();
        const Node* at = &root;
        for (const auto& part : split_key(key)) at = at ? at->get(part) : nullptr;
        if (at) where = at->at.where();
      }
      ck.error(fmt::format("{}: {}", where, msg));
    }
  }

  // followers: an optional second layer, used by models that spread along followers
  json followers_json;
  if (root.get("followers")) {
    GraphSpec f;
    read_graph(ck, root, f, followers_json, "followers");
    if (ck.errors.empty()) {
      try {
        validate_graph_spec(f);
      } catch (const Error& e) {
        std::string msg = e.what();
        if (auto pos = msg.find("graph."); pos != std::string::npos) msg.replace(pos, 6, "followers.");
        ck.error(fmt::format("{}: {}", root.get("followers")->key_at.where(), msg));
      }
    }
    if (f.generator == "complete")
      ck.error(fmt::format("{}: followers.generator: the follower layer needs stored arcs (not 'complete')",
                           root.get("followers")->key_at.where()));
    sc.followers = f;
  }

  // output
  json output_json = json::object();
  if (const Node* o = ck.section(root, "output", "")) {
    ck.check_keys(*o, "output", kOutputKeys, all_paths);
    if (const Node* d = o->get("dir")) {
      if (auto s = ck.string(*d, "output.dir", {}); s && s->empty()) {
        ck.error(
            fmt::format("{}: output.dir: expected a folder name, got an empty string (remove the key, or set it "
                        "to null, for no files)",
                        d->at.where()));
      } else if (s) {
        fs::path p(*s);
        if (p.is_relative()) p = d->at.base_dir() / p;
        p = p.lexically_normal();
        if (p.filename().empty() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();  // "dir/." → "dir"
        cfg.output_dir = p.string();
        output_json["dir"] = cfg.output_dir;
      }
    }
  }

  // params
  json params_json = json::object();
  if (!options.graph_only) {
    const Node* pn = ck.section(root, "params", "");
    if (sc.info) {
      if (sc.graph.generator == "complete" && !sc.info->supports_complete_graph) {
        const Node* gen = root.get("graph") ? root.get("graph")->get("generator") : nullptr;
        ck.error(
            fmt::format("{}: graph.generator: model '{}' does not run on the implicit complete graph; choose "
                        "another generator (one of: {})",
                        gen ? gen->at.where() : source, sc.model,
                        "erdos_renyi, barabasi_albert, holme_kim, watts_strogatz, configuration, sbm, file"));
      }
      ParamChecker pc(ck, *sc.info);
      sc.params = pc.read(pn, top, params_json);
      if (ck.errors.empty() && sc.info->check) {
        try {
          sc.info->check(sc.params);
        } catch (const Error& e) {
          std::vector<std::string> where = files;
          for (const auto& s : sets) where.push_back(fmt::format("--set '{}'", s));
          ck.error(fmt::format("{}: {}", pn ? pn->key_at.where() : join_list(where), e.what()));
        }
      }
    }
  }

  if (!ck.errors.empty()) {
    // Report in reading order: by file (parents first), then line; --set arguments last.
    auto order = [&](const std::string& e) -> std::pair<std::size_t, long> {
      for (std::size_t i = 0; i < files.size(); ++i) {
        if (e.rfind(files[i] + ":", 0) != 0) continue;
        return {i, std::strtol(e.c_str() + files[i].size() + 1, nullptr, 10)};
      }
      return {files.size(), 0};
    };
    std::stable_sort(ck.errors.begin(), ck.errors.end(),
                     [&](const std::string& a, const std::string& b) { return order(a) < order(b); });
    if (ck.errors.size() == 1) throw Error(ck.errors.front());
    std::string msg = fmt::format("{} problems in config '{}':", ck.errors.size(), source);
    for (const auto& e : ck.errors) msg += "\n  " + e;
    throw Error(msg);
  }

  sc.resolved = json::object();
  if (!sc.model.empty()) sc.resolved["model"] = sc.model;
  sc.resolved["seed"] = cfg.plan.seed;
  sc.resolved["replicates"] = cfg.plan.replicates;
  sc.resolved["time"] = json{{"steps", sc.steps}, {"dt", sc.dt}, {"step_days", sc.step_days}};
  sc.resolved["graph"] = graph_json;
  if (sc.followers) sc.resolved["followers"] = followers_json;
  if (!output_json.empty()) sc.resolved["output"] = output_json;
  if (!options.graph_only) sc.resolved["params"] = params_json;
  return cfg;
}

Config load(const std::string& text, const std::string& name, const std::vector<std::string>& sets,
            const LoadOptions& options) {
  Loader loader;
  std::vector<fs::path> stack{identity(name)};
  Node root = loader.load(text, name, stack);
  for (const auto& s : sets) apply_set(root, s);
  Config cfg = validate(root, name, loader.files, sets, options);
  cfg.scenario.source_text = text;
  cfg.scenario.graph_only = options.graph_only;
  return cfg;
}

void emit(YAML::Emitter& out, const json& j) {
  if (j.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : j.items()) {
      out << YAML::Key << k << YAML::Value;
      emit(out, v);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    out << YAML::Flow << YAML::BeginSeq;
    for (const auto& v : j) emit(out, v);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    out << YAML::DoubleQuoted << j.get<std::string>();
  } else if (j.is_boolean()) {
    out << (j.get<bool>() ? "true" : "false");
  } else if (j.is_number_unsigned()) {
    out << j.get<std::uint64_t>();
  } else if (j.is_number_integer()) {
    out << j.get<std::int64_t>();
  } else if (j.is_number_float()) {
    // Shortest text that reads back to the same double.
    double v = j.get<double>();
    out << (std::isfinite(v) ? fmt::format("{}", v) : std::isnan(v) ? ".nan" : v > 0 ? ".inf" : "-.inf");
  } else {
    out << YAML::Null;
  }
}

}  // namespace

std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

Config load_config(const std::string& path, const std::vector<std::string>& set_overrides, const LoadOptions& options) {
  std::string text = read_text(path, fmt::format("cannot read config '{}'", path));
  return load(text, path, set_overrides, options);
}

Config config_from_yaml_text(const std::string& text, const std::string& name,
                             const std::vector<std::string>& set_overrides, const LoadOptions& options) {
  return load(text, name, set_overrides, options);
}

Scenario load_scenario(const std::string& path, const std::vector<std::string>& set_overrides,
                       const LoadOptions& options) {
  return load_config(path, set_overrides, options).scenario;
}

Scenario scenario_from_yaml_text(const std::string& text, const std::string& name,
                                 const std::vector<std::string>& set_overrides, const LoadOptions& options) {
  return load(text, name, set_overrides, options).scenario;
}

Config override_config(const Scenario& scenario, const std::vector<std::string>& set_overrides) {
  std::vector<std::string> sets = scenario.overrides;
  sets.insert(sets.end(), set_overrides.begin(), set_overrides.end());
  LoadOptions options;
  options.graph_only = scenario.graph_only;
  return load(scenario.source_text, scenario.source_file, sets, options);
}

Scenario override(const Scenario& scenario, const std::vector<std::string>& set_overrides) {
  if (set_overrides.empty()) return scenario;
  return override_config(scenario, set_overrides).scenario;
}

std::string to_yaml(const nlohmann::ordered_json& config) {
  YAML::Emitter out;
  emit(out, config);
  return std::string(out.c_str()) + "\n";
}

}  // namespace wom
