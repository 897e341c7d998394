#include "app/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

#include "sim/core/error.hpp"
#include "sim/core/model.hpp"
#include "sim/core/params.hpp"
#include "wom/version.hpp"

namespace wom {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Okabe–Ito: distinguishable with the common colour-vision deficiencies and in greyscale print.
const std::vector<std::string> kPalette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                           "#E69F00", "#56B4E9", "#000000", "#F0E442"};
const std::string kCostColor = "#C0392B";   // a cost (NPV lost)
const std::string kGainColor = "#1E8449";   // a gain (NPV won)
const std::string kTotalColor = "#34495E";  // a total

// ---------------------------------------------------------------------------------------
// Text.

std::string esc(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

/// A value for data-value: the shortest text that reads back to the same double.
std::string vtext(double v) { return std::isfinite(v) ? number_text(v) : "null"; }

std::string vlist(const std::vector<double>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += vtext(v[i]);
  }
  return s;
}

/// A plain number for axis ticks and tooltips: 4 significant digits, thousands separators, a
/// true minus sign. Figures with a unit go through FigureFormat.
std::string plain(double v) {
  std::string s = group_thousands(readable_number(v));
  if (!s.empty() && s[0] == '-') s = "−" + s.substr(1);  // a true minus sign reads better
  return s;
}

std::string humanize(const std::string& name) {
  std::string s = name;
  std::replace(s.begin(), s.end(), '_', ' ');
  // Acronyms a finance reader knows, as whole words.
  for (const auto& [word, acronym] : {std::pair<std::string, std::string>{"npv", "NPV"}, {"clv", "CLV"}}) {
    for (std::size_t pos = s.find(word); pos != std::string::npos; pos = s.find(word, pos + acronym.size())) {
      const bool starts = pos == 0 || s[pos - 1] == ' ';
      const bool ends = pos + word.size() == s.size() || s[pos + word.size()] == ' ';
      if (starts && ends) s.replace(pos, word.size(), acronym);
    }
  }
  return s;
}

/// `text` with a capital first letter.
std::string capitalized(std::string text) {
  if (!text.empty()) text[0] = char(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

/// "NPV cash flows" from "npv_cash_flows": a figure's name as the start of a sentence.
std::string sentence(const std::string& name) { return capitalized(humanize(name)); }

std::string ptr_token(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
  return o;
}

const json* at_ptr(const json& doc, const std::string& p) {
  try {
    const json::json_pointer jp(p);
    if (!doc.contains(jp)) return nullptr;
    return &doc.at(jp);
  } catch (const std::exception&) {
    return nullptr;
  }
}

double dbl(const json* j) { return j && j->is_number() ? j->get<double>() : kNaN; }

std::vector<double> dbl_list(const json* j) {
  std::vector<double> v;
  if (!j || !j->is_array()) return v;
  for (const auto& x : *j) v.push_back(x.is_number() ? x.get<double>() : kNaN);
  return v;
}

std::string str_at(const json& doc, const std::string& p, const std::string& fallback = "") {
  const json* j = at_ptr(doc, p);
  if (!j || j->is_null()) return fallback;
  return j->is_string() ? j->get<std::string>() : j->dump();
}

/// Where a plotted or quoted number comes from.
struct Trace {
  std::string source;  ///< file name
  std::string key;     ///< JSON pointer (or "a + b"), or COLUMN/STAT for timeseries.csv
};

std::string attrs(const Trace& t, const std::string& value) {
  if (t.source.empty()) return "";
  return fmt::format(" data-source=\"{}\" data-key=\"{}\" data-value=\"{}\"", esc(t.source), esc(t.key), esc(value));
}

/// A number read from a JSON document with its pointer.
struct Value {
  double v = kNaN;
  Trace trace;
  bool ok() const { return std::isfinite(v); }
};

/// An estimate read from a JSON document: {mean, ci_low, ci_high} (cost.json, compare.json),
/// {mean, ci95: [low, high]} (summary.json), or a bare number.
struct Est {
  Value mean, lo, hi;
  double count = kNaN;  ///< replicates (or events) behind it, when recorded
  bool has_ci() const { return lo.ok() && hi.ok(); }
  /// The 95 % CI excludes zero, from two or more values (one value gives no interval).
  bool excludes_zero() const { return has_ci() && count >= 2 && (lo.v > 0 || hi.v < 0); }
};

Est read_est(const json& doc, const std::string& source, const std::string& p) {
  Est e;
  const json* j = at_ptr(doc, p);
  if (!j) return e;
  if (j->is_number()) {
    e.mean = Value{j->get<double>(), {source, p}};
    return e;
  }
  if (!j->is_object()) return e;
  e.mean = Value{dbl(at_ptr(doc, p + "/mean")), {source, p + "/mean"}};
  e.count = dbl(at_ptr(doc, p + "/count"));
  if (j->contains("ci_low")) {
    e.lo = Value{dbl(at_ptr(doc, p + "/ci_low")), {source, p + "/ci_low"}};
    e.hi = Value{dbl(at_ptr(doc, p + "/ci_high")), {source, p + "/ci_high"}};
  } else if (j->contains("ci95")) {
    e.lo = Value{dbl(at_ptr(doc, p + "/ci95/0")), {source, p + "/ci95/0"}};
    e.hi = Value{dbl(at_ptr(doc, p + "/ci95/1")), {source, p + "/ci95/1"}};
  }
  return e;
}

/// A quoted number in running text, traced.
std::string quote(const Value& v, const std::string& shown) {
  return fmt::format("<span class=\"fig\"{}>{}</span>", attrs(v.trace, vtext(v.v)), esc(shown));
}

/// The estimate an Est quotes (NaN bounds when it has none).
Estimate as_estimate(const Est& e) {
  Estimate x;
  x.mean = e.mean.v;
  x.ci_low = e.lo.v;
  x.ci_high = e.hi.v;
  x.count = std::isfinite(e.count) ? std::int64_t(e.count) : e.has_ci() ? 2 : 1;
  return x;
}

bool shows_ci(const Est& e) { return e.has_ci() && e.lo.v != e.hi.v; }

/// "1,234 (95 % CI 1,100 to 1,300)" with every number traced; the bounds take the mean's
/// precision.
std::string est_text(const Est& e, const FigureFormat& f) {
  const auto t = f.texts(as_estimate(e));
  std::string s = quote(e.mean, t[0]);
  if (shows_ci(e)) s += fmt::format(" (95 % CI {} to {})", quote(e.lo, t[1]), quote(e.hi, t[2]));
  return s;
}

/// The mean alone, traced, at the precision its CI is shown with.
std::string mean_text(const Est& e, const FigureFormat& f) { return quote(e.mean, f.texts(as_estimate(e))[0]); }

/// "low to high", traced, at the mean's precision; "—" without an interval.
std::string ci_text(const Est& e, const FigureFormat& f) {
  if (!shows_ci(e)) return "—";
  const auto t = f.texts(as_estimate(e));
  return quote(e.lo, t[1]) + " to " + quote(e.hi, t[2]);
}

/// A table cell: the mean, and its CI on a line of its own.
std::string est_cell(const Est& e, const FigureFormat& f) {
  if (!e.mean.ok()) return "—";
  const auto t = f.texts(as_estimate(e));
  std::string s = quote(e.mean, t[0]);
  if (shows_ci(e)) s += fmt::format("<span class=\"ci\">{} to {}</span>", quote(e.lo, t[1]), quote(e.hi, t[2]));
  return s;
}

const FigureFormat kPlain{};

/// What the columns, metrics and returns of an output file measure: its `measures` block, else
/// the model's declarations in this build, else the defaults of ModelInfo::measure.
class Measures {
 public:
  Measures(const json& doc, const std::string& model)
      : block_(at_ptr(doc, "/measures")), info_(Registry::instance().find(model)) {}
  Measure column(const std::string& name) const { return get("columns", name, true); }
  Measure metric(const std::string& name) const { return get("metrics", name, false); }
  /// A compare.json row by its kind, with the row's own "unit" when it has one.
  Measure row(const json& r) const {
    const std::string name = r.value("name", std::string()), kind = r.value("kind", std::string());
    Measure m = kind == "metric"   ? metric(name)
                : kind == "return" ? get("returns", name, false, Unit::Money)
                                   : column(name);
    if (const auto u = r.find("unit"); u != r.end() && u->is_string()) m.unit = unit_of_name(u->get<std::string>());
    return m;
  }

 private:
  Measure get(const std::string& group, const std::string& name, bool column,
              std::optional<Unit> fallback = std::nullopt) const {
    if (block_)
      if (const json* m = at_ptr(*block_, "/" + group + "/" + ptr_token(name)); m && m->is_object()) {
        Measure x;
        x.name = name;
        x.unit = unit_of_name(m->value("unit", std::string("number")));
        x.aggregate = aggregate_of_name(m->value("aggregate", std::string("level")));
        x.meaning = m->value("meaning", std::string());
        x.headline = m->value("headline", 0);
        return x;
      }
    static const ModelInfo none;
    Measure m = (info_ ? *info_ : none).measure(name, column);
    if (fallback && !info_) m.unit = *fallback;
    return m;
  }
  const json* block_;
  const ModelInfo* info_;
};

/// Names ordered as the model shows them: its headline figures first, in its order, then the
/// rest as they come.
std::vector<std::string> headline_first(std::vector<std::string> names,
                                        const std::function<int(const std::string&)>& order) {
  std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    const int x = order(a), y = order(b);
    return (x > 0 ? x : INT32_MAX) < (y > 0 ? y : INT32_MAX);
  });
  return names;
}

/// A unit as a plot's or column's label: "persons", "$", "stars" (empty for a plain number).
std::string unit_label(Unit u, const std::string& currency) {
  switch (u) {
    case Unit::Money:
      return currency.empty() ? "money" : currency;
    case Unit::Number:
      return "";
    case Unit::Share:
      return "share";
    default:
      return unit_name(u);
  }
}

// ---------------------------------------------------------------------------------------
// SVG plots.

std::vector<double> nice_ticks(double& lo, double& hi, int target) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  const double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  lo = std::floor(lo / step + 1e-9) * step;
  hi = std::ceil(hi / step - 1e-9) * step;
  std::vector<double> t;
  for (int i = 0;; ++i) {
    double v = lo + i * step;
    if (v > hi + step * 1e-6) break;
    if (std::fabs(v) < step * 1e-9) v = 0;
    t.push_back(v);
  }
  return t;
}

std::string tick_text(double v) {
  const double a = std::fabs(v);
  if (a >= 1e6 && a < 1e12) return plain(v / 1e6) + "M";
  if (a >= 1e4 && a < 1e6) return plain(v / 1e3) + "k";
  return plain(v);
}

std::string c2(double v) { return fmt::format("{:.2f}", v); }

/// A plot area with linear scales.
class Frame {
 public:
  Frame(double w, double h, double left = 62, double right = 14, double top = 30, double bottom = 46)
      : w_(w), h_(h), l_(left), r_(right), t_(top), b_(bottom) {}

  void x_range(double lo, double hi) {
    x0_ = lo;
    x1_ = hi > lo ? hi : lo + 1;
  }
  /// Expands [lo, hi] to nice tick bounds; NaNs ignored by callers.
  void y_range(double lo, double hi) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
    yticks_ = nice_ticks(lo, hi, 5);
    y0_ = lo;
    y1_ = hi;
  }
  double X(double x) const { return l_ + (x - x0_) / (x1_ - x0_) * (w_ - l_ - r_); }
  double Y(double y) const { return h_ - b_ - (y - y0_) / (y1_ - y0_) * (h_ - t_ - b_); }
  double left() const { return l_; }
  double right() const { return w_ - r_; }
  double top() const { return t_; }
  double bottom() const { return h_ - b_; }
  double width() const { return w_; }

  std::string open(const std::string& title) const {
    return fmt::format(
        "<svg class=\"plot\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">"
        "<title>{}</title><text class=\"ptitle\" x=\"{}\" y=\"18\">{}</text>",
        w_, h_, w_, h_, esc(title), esc(title), c2(l_), esc(title));
  }

  /// Horizontal grid with y tick labels, the y-axis title, and a zero line when 0 is inside.
  std::string y_axis(const std::string& label) const {
    std::string s;
    for (double v : yticks_)
      s += fmt::format(
          "<line class=\"grid\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/><text class=\"tick\" x=\"{}\" "
          "y=\"{}\" text-anchor=\"end\">{}</text>",
          c2(l_), c2(right()), c2(Y(v)), c2(Y(v)), c2(l_ - 5), c2(Y(v) + 3.5), esc(tick_text(v)));
    if (y0_ < 0 && y1_ > 0)
      s += fmt::format("<line class=\"zero\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", c2(l_), c2(right()), c2(Y(0)),
                       c2(Y(0)));
    if (!label.empty())
      s += fmt::format(
          "<text class=\"axis\" transform=\"translate(12,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
          c2((t_ + bottom()) / 2), esc(label));
    return s;
  }

  /// Numeric x ticks along the bottom and the x-axis title.
  std::string x_axis(const std::string& label) const {
    double lo = x0_, hi = x1_;
    std::vector<double> ticks = nice_ticks(lo, hi, 6);
    std::string s = fmt::format("<line class=\"axisline\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", c2(l_),
                                c2(right()), c2(bottom()), c2(bottom()));
    for (double v : ticks) {
      if (v < x0_ - 1e-9 || v > x1_ + 1e-9) continue;
      s += fmt::format(
          "<line class=\"axisline\" x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\"/><text class=\"tick\" "
          "x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text>",
          c2(X(v)), c2(bottom()), c2(bottom() + 4), c2(bottom() + 16), esc(tick_text(v)));
    }
    if (!label.empty())
      s += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                       c2((l_ + right()) / 2), c2(h_ - 8), esc(label));
    return s;
  }

 private:
  double w_, h_, l_, r_, t_, b_;
  double x0_ = 0, x1_ = 1, y0_ = 0, y1_ = 1;
  std::vector<double> yticks_;
};

/// A path through the finite points; a NaN breaks the line.
std::string polyline(const Frame& f, const std::vector<double>& xs, const std::vector<double>& ys) {
  std::string d;
  bool pen = false;
  for (std::size_t i = 0; i < ys.size() && i < xs.size(); ++i) {
    if (!std::isfinite(ys[i])) {
      pen = false;
      continue;
    }
    d += fmt::format("{}{} {}", pen ? " L" : (d.empty() ? "M" : " M"), c2(f.X(xs[i])), c2(f.Y(ys[i])));
    pen = true;
  }
  return d;
}

/// The area between `lo` and `hi`, one closed piece per run of finite points.
std::string band(const Frame& f, const std::vector<double>& xs, const std::vector<double>& lo,
                 const std::vector<double>& hi) {
  std::string d;
  std::size_t i = 0;
  const std::size_t n = std::min({xs.size(), lo.size(), hi.size()});
  while (i < n) {
    while (i < n && !(std::isfinite(lo[i]) && std::isfinite(hi[i]))) ++i;
    const std::size_t a = i;
    while (i < n && std::isfinite(lo[i]) && std::isfinite(hi[i])) ++i;
    if (i == a) continue;
    for (std::size_t k = a; k < i; ++k)
      d += fmt::format("{}{} {}", k == a ? (d.empty() ? "M" : " M") : " L", c2(f.X(xs[k])), c2(f.Y(hi[k])));
    for (std::size_t k = i; k-- > a;) d += fmt::format(" L{} {}", c2(f.X(xs[k])), c2(f.Y(lo[k])));
    d += " Z";
  }
  return d;
}

struct LineSeries {
  std::string label;
  std::string color;
  std::vector<double> mean, lo, hi;  ///< lo/hi empty: no band
  Trace mean_trace, lo_trace, hi_trace;
};

std::string legend(const Frame& f, const std::vector<std::pair<std::string, std::string>>& items) {
  std::string s;
  double x = f.left() + 4, y = f.top() - 2;
  // One row; long labels are cut so the legend stays inside the plot.
  for (const auto& [label, color] : items) {
    std::string text = label;
    if (text.size() > 44) {
      std::size_t cut = 43;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
      text = text.substr(0, cut) + "…";
    }
    s += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{}\"/><text class=\"legend\" x=\"{}\" "
        "y=\"{}\">{}</text>",
        c2(x), c2(y - 9), color, c2(x + 14), c2(y), esc(text));
    x += 24 + 6.2 * double(text.size());
    if (x > f.right() - 60) {
      x = f.left() + 4;
      y += 13;
    }
  }
  return s;
}

std::string line_plot(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                      const std::vector<double>& xs, const std::vector<LineSeries>& series, double w, double h,
                      bool show_legend) {
  const std::size_t legend_rows = (series.size() + 2) / 3;  // three entries a row
  const double top = show_legend ? 30 + 13 * double(legend_rows) : 30;
  Frame f(w, h, 62, 14, top, 46);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto& s : series)
    for (const auto* v : {&s.mean, &s.lo, &s.hi})
      for (double x : *v)
        if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
  f.x_range(xs.empty() ? 0 : xs.front(), xs.empty() ? 1 : xs.back());
  f.y_range(lo, hi);
  std::string s = f.open(title) + f.y_axis(ylabel) + f.x_axis(xlabel);
  for (const auto& se : series) {
    if (!se.lo.empty() && !se.hi.empty()) {
      s += fmt::format("<path class=\"band\" d=\"{}\" fill=\"{}\"/>", band(f, xs, se.lo, se.hi), se.color);
      s += fmt::format("<path class=\"ci\" d=\"{}\" stroke=\"{}\"{}/>", polyline(f, xs, se.lo), se.color,
                       attrs(se.lo_trace, vlist(se.lo)));
      s += fmt::format("<path class=\"ci\" d=\"{}\" stroke=\"{}\"{}/>", polyline(f, xs, se.hi), se.color,
                       attrs(se.hi_trace, vlist(se.hi)));
    }
    const double last = se.mean.empty() ? kNaN : se.mean.back();
    s += fmt::format("<path class=\"line\" d=\"{}\" stroke=\"{}\"{}><title>{}: {} at the end</title></path>",
                     polyline(f, xs, se.mean), se.color, attrs(se.mean_trace, vlist(se.mean)), esc(se.label),
                     esc(plain(last)));
  }
  if (show_legend) {
    std::vector<std::pair<std::string, std::string>> items;
    items.reserve(series.size());
    for (const auto& se : series) items.emplace_back(se.label, se.color);
    s += legend(f, items);
  }
  return s + "</svg>";
}

/// One bar: its value, where it starts (waterfalls) and its CI.
struct Bar {
  Value value;
  double base = 0;
  Value lo, hi;  ///< not ok(): no whisker
  std::string color;
  std::string tip;
};

struct Category {
  std::string label;
  std::vector<Bar> bars;
};

/// Splits a label into lines of about `width` characters at spaces.
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string word, cur;
  while (in >> word) {
    if (!cur.empty() && cur.size() + 1 + word.size() > width) lines.push_back(cur), cur.clear();
    cur += (cur.empty() ? "" : " ") + word;
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

std::string bar_chart(const std::string& title, const std::string& ylabel, const std::vector<Category>& cats,
                      const std::vector<std::pair<std::string, std::string>>& legend_items, bool connectors,
                      const FigureFormat& unit, double w = 680, double h = 320) {
  const double top = legend_items.empty() ? 30 : 44;
  Frame f(w, h, 70, 14, top, 52);
  double lo = 0, hi = 0;
  for (const auto& c : cats)
    for (const auto& b : c.bars)
      for (double v : {b.base, b.base + b.value.v, b.base + b.lo.v, b.base + b.hi.v})
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  f.y_range(lo, hi + (hi - lo) * 0.08);  // room for the value labels
  std::string s = f.open(title) + f.y_axis(ylabel);
  s += fmt::format("<line class=\"axisline\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", c2(f.left()), c2(f.right()),
                   c2(f.bottom()), c2(f.bottom()));
  const double slot = (f.right() - f.left()) / double(std::max<std::size_t>(cats.size(), 1));
  double prev_end_x = kNaN, prev_level = kNaN;
  for (std::size_t i = 0; i < cats.size(); ++i) {
    const Category& c = cats[i];
    const double x0 = f.left() + slot * double(i);
    const std::size_t nb = std::max<std::size_t>(c.bars.size(), 1);
    const double bw = std::min(48.0, slot * 0.7 / double(nb));
    const double start = x0 + (slot - bw * double(nb)) / 2;
    for (std::size_t j = 0; j < c.bars.size(); ++j) {
      const Bar& b = c.bars[j];
      const double bx = start + bw * double(j);
      const double cx = bx + bw / 2;
      if (!b.value.ok()) {
        s += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">n/a</text>", c2(cx),
                         c2(f.Y(b.base) - 4));
        continue;
      }
      const double y_a = f.Y(b.base), y_b = f.Y(b.base + b.value.v);
      const double y_top = std::min(y_a, y_b);
      const double height = std::max(std::fabs(y_a - y_b), 0.8);  // a zero bar stays visible as a hairline
      if (connectors && std::isfinite(prev_level))
        s += fmt::format("<line class=\"connector\" x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>", c2(prev_end_x), c2(bx),
                         c2(f.Y(prev_level)), c2(f.Y(prev_level)));
      s += fmt::format(
          "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"{}><title>{}</title>"
          "</rect>",
          c2(bx), c2(y_top), c2(bw), c2(height), b.color, attrs(b.value.trace, vtext(b.value.v)), esc(b.tip));
      const double end = b.base + b.value.v;
      // Whiskers: each half carries the bound it draws.
      double label_y = y_top - 4;
      if (b.lo.ok())
        s += fmt::format("<path class=\"whisker\" d=\"M{0} {1} V{2} M{3} {2} H{4}\"{5}/>", c2(cx), c2(f.Y(end)),
                         c2(f.Y(b.base + b.lo.v)), c2(cx - 5), c2(cx + 5), attrs(b.lo.trace, vtext(b.lo.v)));
      if (b.hi.ok()) {
        s += fmt::format("<path class=\"whisker\" d=\"M{0} {1} V{2} M{3} {2} H{4}\"{5}/>", c2(cx), c2(f.Y(end)),
                         c2(f.Y(b.base + b.hi.v)), c2(cx - 5), c2(cx + 5), attrs(b.hi.trace, vtext(b.hi.v)));
        label_y = std::min(label_y, std::min(f.Y(b.base + b.hi.v), f.Y(b.base + b.lo.v)) - 4);
      }
      if (c.bars.size() == 1 || bw >= 44)  // grouped bars are labelled where the label fits
        s += fmt::format("<text class=\"vlabel\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", c2(cx),
                         c2(label_y), esc(unit.text(b.value.v)));
      prev_end_x = bx + bw;
      prev_level = end;
    }
    const auto lines = wrap(c.label, std::size_t(std::max(6.0, slot / 6.5)));
    for (std::size_t k = 0; k < lines.size() && k < 3; ++k)
      s += fmt::format("<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>", c2(x0 + slot / 2),
                       c2(f.bottom() + 14 + 12 * double(k)), esc(lines[k]));
  }
  if (!legend_items.empty()) s += legend(f, legend_items);
  return s + "</svg>";
}

// ---------------------------------------------------------------------------------------
// Scenario and model defaults.

void flatten(const json& j, const std::string& prefix, std::map<std::string, json>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    return;
  }
  out[prefix] = j;
}

std::string spec_default(const ParamSpec& s) {
  if (!s.has_default) return "(none)";
  switch (s.type) {
    case ParamType::Real:
    case ParamType::Int:
      return number_text(s.def);
    case ParamType::Bool:
      return s.def != 0 ? "true" : "false";
    case ParamType::String:
      return s.def_str;
  }
  return "";
}

bool equals_default(const ParamSpec& s, const json& v) {
  if (!s.has_default) return false;
  switch (s.type) {
    case ParamType::Real:
    case ParamType::Int:
      return v.is_number() && v.get<double>() == s.def;
    case ParamType::Bool:
      return v.is_boolean() && v.get<bool>() == (s.def != 0);
    case ParamType::String:
      return v.is_string() && v.get<std::string>() == s.def_str;
  }
  return false;
}

std::string json_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return number_text(v.get<double>());
  return v.dump();
}

/// The scenario: model, graph, run, and the parameters that differ from the model's defaults,
/// one value column per config (several for a comparison).
std::string scenario_section(const std::string& model, const std::vector<std::pair<std::string, const json*>>& configs,
                             const std::vector<std::pair<std::string, std::string>>& facts) {
  const ModelInfo* info = Registry::instance().find(model);
  std::string s = "<section id=\"scenario\"><h2>Scenario</h2><dl class=\"facts\">";
  s += fmt::format("<dt>model</dt><dd><b>{}</b>{}</dd>", esc(model), info ? " — " + esc(info->summary) : "");
  for (const auto& [k, v] : facts) s += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
  s += "</dl>";
  if (!info) {
    return s + fmt::format(
                   "<p class=\"note\">Model '{}' is not known to this build of wom, so its defaults cannot be "
                   "compared.</p></section>",
                   esc(model));
  }
  if (std::none_of(configs.begin(), configs.end(), [](const auto& c) { return c.second != nullptr; }))
    return s +
           "<p class=\"note\">The resolved configuration is not recorded in these outputs (no provenance.config), "
           "so what differs from the model's defaults cannot be shown.</p></section>";
  std::vector<std::map<std::string, json>> flat(configs.size());
  for (std::size_t k = 0; k < configs.size(); ++k)
    if (configs[k].second && configs[k].second->contains("params"))
      flatten((*configs[k].second)["params"], "", flat[k]);
  std::string rows;
  std::size_t count = 0;
  for (const ParamSpec& p : info->params) {
    bool differs = false;
    for (const auto& f : flat) {
      auto it = f.find(p.key);
      if (it != f.end() && !it->second.is_null() && !equals_default(p, it->second)) differs = true;
    }
    if (!differs) continue;
    ++count;
    std::string r =
        fmt::format("<tr><td><code>params.{}</code><div class=\"help\">{}{}</div></td><td>{}</td>", esc(p.key),
                    esc(p.help), p.unit.empty() ? "" : " (" + esc(p.unit) + ")", esc(spec_default(p)));
    std::string first;
    for (std::size_t k = 0; k < flat.size(); ++k) {
      auto it = flat[k].find(p.key);
      const std::string text = it == flat[k].end() || it->second.is_null() ? "(not set)" : json_text(it->second);
      if (k == 0) first = text;
      const bool marked = it != flat[k].end() && !it->second.is_null() && !equals_default(p, it->second);
      const bool varies = k > 0 && text != first;
      r += fmt::format("<td class=\"{}{}\">{}</td>", marked ? "changed" : "", varies ? " varies" : "", esc(text));
    }
    rows += r + "</tr>";
  }
  if (count == 0) {
    s += "<p>Every model parameter is at its default value.</p>";
  } else {
    s += fmt::format(
        "<h3>What differs from the model's defaults ({} parameter{})</h3><table class=\"defaults\"><thead>"
        "<tr><th>key</th><th>default</th>",
        count, count == 1 ? "" : "s");
    for (const auto& [label, cfg] : configs)
      s += fmt::format("<th>{}</th>", esc(configs.size() == 1 ? std::string("this scenario") : label));
    s += "</tr></thead><tbody>" + rows + "</tbody></table>";
    if (configs.size() > 1) s += "<p class=\"note\">Shaded cells differ from the first what-if.</p>";
  }
  return s + "</section>";
}

std::string currency_of(const json* config) {
  if (!config) return "";
  const ModelInfo* info = Registry::instance().find(str_at(*config, "/model"));
  if (!info || info->offers.currency_param.empty()) return "";
  std::string ptr = "/params";  // the dotted key as a JSON pointer
  const std::string& key = info->offers.currency_param;
  for (std::size_t start = 0;;) {
    const auto dot = key.find('.', start);
    ptr += '/';
    ptr += ptr_token(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (const json* c = at_ptr(*config, ptr); c && c->is_string()) return c->get<std::string>();
  return "";
}

std::string provenance_block(const std::string& source, const json& prov) {
  std::string s = fmt::format("<h3>{}</h3><dl class=\"facts\">", esc(source));
  for (const char* k : {"version", "git_commit", "seed", "replicates", "threads", "wall_time_seconds", "hostname",
                        "started_at", "config_file"}) {
    if (!prov.contains(k)) continue;
    std::string text = json_text(prov[k]);
    if (std::string(k) == "wall_time_seconds" && prov[k].is_number())
      text = fmt::format("{:.3g} s", prov[k].get<double>());  // the full figure is in the file below
    if (std::string(k) == "threads" && prov[k].is_number() && prov[k].get<double>() == 0)
      text = "all cores (--threads 0)";  // what was asked for; a file that records the count shows it
    s += fmt::format("<dt>{}</dt><dd>{}</dd>", esc(k == std::string("wall_time_seconds") ? "wall time" : humanize(k)),
                     esc(text));
  }
  if (prov.contains("command") && prov["command"].is_array()) {
    std::string cmd;
    for (const auto& a : prov["command"]) cmd += (cmd.empty() ? "" : " ") + json_text(a);
    s += fmt::format("<dt>command</dt><dd><code>{}</code></dd>", esc(cmd));
  }
  s += "</dl>";
  s += fmt::format(
      "<details><summary>full provenance of {} (resolved configuration included)</summary><pre>{}</pre>"
      "</details>",
      esc(source), esc(prov.dump(2)));
  return s;
}

// ---------------------------------------------------------------------------------------
// Sections.

struct Section {
  std::string headline;  ///< <li> items for the headline list
  std::string body;
};

std::string step_label(const json* config) {
  if (!config) return "step";
  const double days = dbl(at_ptr(*config, "/time/step_days"));
  const std::string model = str_at(*config, "/model");
  const ModelInfo* info = Registry::instance().find(model);
  if (info && info->step_in_days && std::isfinite(days))
    return days == 1 ? std::string("day") : fmt::format("step ({} days)", number_text(days));
  return "step";
}

/// The value split of a resolved config's model (Offers::value); none for a model this build lacks.
ValueSplit value_split_of(const json* config) {
  const ModelInfo* info = config ? Registry::instance().find(str_at(*config, "/model")) : nullptr;
  return info ? info->offers.value : ValueSplit{};
}

/// Columns the model plots first (Offers::plotted), from a resolved config's model; other
/// models plot every column.
std::vector<std::string> plotted_columns(const json* config) {
  const ModelInfo* info = config ? Registry::instance().find(str_at(*config, "/model")) : nullptr;
  return info ? info->offers.plotted : std::vector<std::string>{};
}

/// The currency of an output file: its `currency`, else its resolved config's.
std::string currency_in(const json& doc, const json* config) {
  if (const auto c = doc.find("currency"); c != doc.end() && c->is_string()) return c->get<std::string>();
  return currency_of(config);
}

/// What "over the run" covers in summary.json: "steps 1 to 730 (730 days)", and its length in
/// years when the steps are days (NaN otherwise).
struct Period {
  std::string text;
  double years = kNaN;
};

Period run_period(const json& summary, std::int64_t steps) {
  Period p;
  p.text = fmt::format("steps 1 to {}", steps);
  if (const json* o = at_ptr(summary, "/over_run_period"); o && o->is_object()) {
    const double length = dbl(at_ptr(*o, "/length"));
    if (o->value("unit", std::string()) == "days" && std::isfinite(length)) {
      p.text += fmt::format(", {} days", plain(length));
      p.years = length / 365.0;
    }
  }
  return p;
}

/// A figure's name with what it measures below it.
std::string name_cell(const std::string& label, const Measure& m) {
  return fmt::format("<td>{}{}</td>", label,
                     m.meaning.empty() ? "" : "<div class=\"help\">" + esc(m.meaning) + "</div>");
}

Section run_section(const json& summary, const std::optional<std::string>& csv) {
  Section out;
  const json* config = at_ptr(summary, "/provenance/config");
  const Measures measures(summary, summary.value("model", std::string()));
  const std::string currency = currency_in(summary, config);
  const std::string src = "summary.json";
  const std::int64_t replicates = summary.value("replicates", std::int64_t(0));
  const std::int64_t steps = summary.value("steps", std::int64_t(0));
  const Period period = run_period(summary, steps);

  // Headline: the model's headline figures in its order and units, in words (the NPV beside
  // its split); every figure follows in the tables below.
  std::string metrics_table;
  std::size_t headlines = 0;
  if (const json* m = at_ptr(summary, "/across_replicates/metrics"); m && m->is_object() && !m->empty()) {
    std::vector<std::string> names;
    for (auto it = m->begin(); it != m->end(); ++it) names.push_back(it.key());
    const auto order = [&](const std::string& n) { return measures.metric(n).headline; };
    const std::vector<std::string> ordered = headline_first(names, order);
    auto est_of = [&](const std::string& n) {
      return read_est(summary, src, "/across_replicates/metrics/" + ptr_token(n));
    };
    auto format_of = [&](const std::string& n) { return figure_format(measures.metric(n), currency); };
    const ValueSplit v = value_split_of(config);
    auto has = [&](const std::string& n) { return !n.empty() && m->contains(n); };
    const bool split = has(v.total) && has(v.cash_flow) && has(v.terminal);
    std::vector<std::string> top;
    for (const auto& n : ordered)
      if (order(n) > 0) top.push_back(n);
    if (top.empty()) top.assign(ordered.begin(), ordered.begin() + std::min<std::ptrdiff_t>(4, ordered.size()));
    for (const auto& n : top) {
      if (split && (n == v.cash_flow || n == v.terminal)) continue;
      const Measure me = measures.metric(n);
      std::string li = fmt::format("<li><b>{}</b>: {}", esc(sentence(n)), est_text(est_of(n), format_of(n)));
      if (split && n == v.total)
        li += fmt::format(" = cash flow over the horizon {} + terminal value {}",
                          mean_text(est_of(v.cash_flow), format_of(v.cash_flow)),
                          mean_text(est_of(v.terminal), format_of(v.terminal)));
      if (!me.meaning.empty()) li += " <span class=\"note\">— " + esc(me.meaning) + "</span>";
      out.headline += li + "</li>";
      ++headlines;
    }
    metrics_table = fmt::format(
        "<h3>Figures of the run ({})</h3><div class=\"scroll\"><table class=\"figures\"><thead><tr><th>figure</th>"
        "<th>mean</th><th>95 % CI</th></tr></thead><tbody>",
        esc(period.text));
    for (std::size_t i = 0; i < ordered.size(); ++i) {
      const std::string& n = ordered[i];
      const std::string prev = i > 0 ? ordered[i - 1] : "", prev2 = i > 1 ? ordered[i - 2] : "";
      std::string label = esc(humanize(n));
      if (const std::string mark = split_marker(v, n, prev, prev2); split && !mark.empty())
        label = "&nbsp;&nbsp;" + mark + " " + label;
      if (split && n == v.total)
        label += fmt::format(" <small>(= {} + {})</small>", esc(humanize(v.cash_flow)), esc(humanize(v.terminal)));
      const Est e = est_of(n);
      metrics_table += "<tr>" + name_cell(label, measures.metric(n)) +
                       fmt::format("<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                                   mean_text(e, format_of(n)), ci_text(e, format_of(n)));
    }
    metrics_table += "</tbody></table></div>";
  }

  // Columns as the model declares they read: stocks at the end (persons with their share of
  // the population), flows as totals over the run, maxima as the maximum.
  std::string level_rows, over_rows;
  TimeseriesBands bands;
  if (csv) bands = timeseries_bands(*csv);
  std::size_t level_i = 0;
  if (const json* fin = at_ptr(summary, "/across_replicates/final"); fin && fin->is_object()) {
    for (auto it = fin->begin(); it != fin->end(); ++it) {
      const std::string& name = it.key();
      const Measure me = measures.column(name);
      const FigureFormat f = figure_format(me, currency);
      if (me.aggregate == Aggregate::Level) {
        const std::string p = "/across_replicates/final/" + ptr_token(name);
        const Est c = read_est(summary, src, p + (it->contains("count") ? "/count" : "/value"));
        std::string start;
        auto col = std::find(bands.columns.begin(), bands.columns.end(), name);
        if (col != bands.columns.end() && !bands.stats[std::size_t(col - bands.columns.begin())].empty()) {
          const double v = bands.stats[std::size_t(col - bands.columns.begin())].front().mean;
          start = quote(Value{v, {"timeseries.csv", name + "/mean/0"}}, f.text(v));
        }
        std::string share;
        if (it->contains("fraction")) {
          const Est fr = read_est(summary, src, p + "/fraction");
          share = est_text(fr, FigureFormat{Unit::Share, "", false, false});
        }
        level_rows += "<tr>" + name_cell(esc(humanize(name)), me) +
                      fmt::format(
                          "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                          "<td class=\"num\">{}</td></tr>",
                          start, mean_text(c, f), ci_text(c, f), share);
        if (headlines == 0 && level_i < 3 && c.mean.ok())
          out.headline +=
              fmt::format("<li>{} at the end (step {}): {}</li>", esc(humanize(name)), steps, est_text(c, f));
        ++level_i;
      } else {
        const bool sum = me.aggregate == Aggregate::Sum;
        const std::string p = "/across_replicates/over_run/" + ptr_token(name) + (sum ? "/total" : "/max");
        const Est c = read_est(summary, src, p);
        if (!c.mean.ok()) continue;  // a summary.json from before over_run: no total to show
        std::string per_year;
        if (sum && std::isfinite(period.years) && period.years > 0) {
          per_year = f.text(c.mean.v / period.years, f.decimals(c.mean.v / period.years));
        }
        over_rows += "<tr>" + name_cell(esc(humanize(name)), me) +
                     fmt::format("<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                                 sum ? "total" : "largest at one step", mean_text(c, f), ci_text(c, f)) +
                     (std::isfinite(period.years) ? "<td class=\"num\">" + per_year + "</td>" : std::string()) +
                     "</tr>";
      }
    }
  }

  std::string body = "<section id=\"run\"><h2>Run</h2>";
  body += fmt::format(
      "<p>{} replicate{} of {} steps. Figures are means over replicates with 95 % confidence "
      "intervals (Student t); bands in the plots are the 95 % CI of the mean at each step.</p>",
      replicates, replicates == 1 ? "" : "s", steps);
  body += metrics_table;
  if (!level_rows.empty())
    body += fmt::format(
        "<h3>State at the end (step {})</h3><div class=\"scroll\"><table class=\"figures\"><thead><tr><th>column</th>"
        "<th>at the start</th><th>at step {} (mean)</th><th>95 % CI</th><th>share of the population</th></tr></thead>"
        "<tbody>{}</tbody></table></div>",
        steps, steps, level_rows);
  if (!over_rows.empty())
    body += fmt::format(
        "<h3>Over the run ({})</h3><div class=\"scroll\"><table class=\"figures\"><thead><tr><th>column</th>"
        "<th>figure</th><th>mean</th><th>95 % CI</th>{}</tr></thead><tbody>{}</tbody></table></div>",
        esc(period.text), std::isfinite(period.years) ? "<th>per year</th>" : "", over_rows);
  if (!level_rows.empty() || !over_rows.empty())
    body +=
        "<p class=\"note\">Only stocks of persons have a share of the population. The 95 % CI of persons and counts "
        "is cut at 0 (a count cannot be negative).</p>";
  if (csv) {
    const std::string xlabel = step_label(config);
    const std::string per = xlabel == "day" ? "day" : "step";
    std::vector<double> xs;
    const std::size_t n = bands.stats.empty() ? 0 : bands.stats.front().size();
    for (std::size_t t = 0; t < n; ++t) xs.push_back(double(t));
    auto plot = [&](std::size_t c) {
      const Measure me = measures.column(bands.columns[c]);
      LineSeries s;
      s.label = bands.columns[c];
      s.color = kPalette[0];
      for (const auto& e : bands.stats[c]) {
        s.mean.push_back(e.mean);
        const Estimate b = bounded(e, me.unit);  // persons and counts: the band stops at 0
        if (bands.replicates > 1) s.lo.push_back(b.ci_low), s.hi.push_back(b.ci_high);
      }
      s.mean_trace = {"timeseries.csv", bands.columns[c] + "/mean"};
      s.lo_trace = {"timeseries.csv", bands.columns[c] + "/ci_low"};
      s.hi_trace = {"timeseries.csv", bands.columns[c] + "/ci_high"};
      std::string title = humanize(bands.columns[c]);
      if (me.aggregate == Aggregate::Sum) title += " per " + per;
      if (me.aggregate == Aggregate::Max) title += ", largest of the " + per;
      const std::string unit = unit_label(me.unit, currency);
      if (!unit.empty()) title += " (" + unit + ")";
      return line_plot(title, xlabel, "", xs, {s}, 340, 210, false);
    };
    // The main columns first; a model with many columns keeps the rest one click away.
    std::vector<std::size_t> main, rest;
    for (const auto& name : plotted_columns(config))
      for (std::size_t c = 0; c < bands.columns.size(); ++c)
        if (bands.columns[c] == name) main.push_back(c);
    if (main.empty())
      for (std::size_t c = 0; c < bands.columns.size(); ++c) main.push_back(c);
    for (std::size_t c = 0; c < bands.columns.size(); ++c)
      if (std::find(main.begin(), main.end(), c) == main.end()) rest.push_back(c);
    body += "<h3>Over time</h3><div class=\"multiples\">";
    for (std::size_t c : main) body += plot(c);
    body += "</div>";
    if (!rest.empty()) {
      body += fmt::format("<details><summary>the other {} columns over time</summary><div class=\"multiples\">",
                          rest.size());
      for (std::size_t c : rest) body += plot(c);
      body += "</div></details>";
    }
  } else {
    body += "<p class=\"note\">timeseries.csv is not in this folder: no plots over time.</p>";
  }
  out.body = body + "</section>";
  return out;
}

Section compare_section(const json& cmp) {
  Section out;
  const std::string src = "compare.json";
  const json* whatifs = at_ptr(cmp, "/whatifs");
  if (!whatifs || !whatifs->is_array() || whatifs->size() < 2)
    throw Error("compare.json: 'whatifs' must list two or more what-ifs");
  const json* config0 = at_ptr(cmp, "/provenance/whatifs/0/config");
  const std::string currency = currency_in(cmp, config0);
  const Measures measures(cmp, cmp.value("model", std::string()));
  const FigureFormat money{Unit::Money, currency, false, false};
  std::vector<std::string> ids, labels;
  for (const auto& w : *whatifs) {
    ids.push_back(w.value("id", std::string()));
    labels.push_back(w.value("label", std::string()));
  }
  auto name_of = [&](std::size_t k) { return ids[k] + " (" + labels[k] + ")"; };

  // Rows by name; a metric or return row wins over a column of the same name.
  const json* rows = at_ptr(cmp, "/rows");
  if (!rows || !rows->is_array()) throw Error("compare.json: 'rows' is missing");
  std::map<std::string, std::size_t> row_index;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    const std::string name = (*rows)[i].value("name", std::string()), kind = (*rows)[i].value("kind", std::string());
    if (!row_index.count(name) || kind == "metric" || kind == "return") row_index[name] = i;
  }
  auto find_row = [&](const std::string& name) -> std::optional<std::size_t> {
    auto it = row_index.find(name);
    return it == row_index.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  };
  auto diff_of = [&](std::size_t row, std::size_t k) {
    return read_est(cmp, src, fmt::format("/rows/{}/whatifs/{}/difference", row, k));
  };

  // The plotted column: the first of the model's plotted columns it has, else its first.
  const json* cols = at_ptr(cmp, "/timeseries/columns");
  std::string main_col;
  if (cols && cols->is_array() && !cols->empty()) {
    main_col = (*cols)[0].get<std::string>();
    const std::vector<std::string> plotted = plotted_columns(at_ptr(cmp, "/provenance/whatifs/0/config"));
    for (auto p = plotted.rbegin(); p != plotted.rend(); ++p)
      for (const auto& c : *cols)
        if (c == *p) main_col = *p;
  }
  const Measure main_measure = measures.column(main_col);
  const std::string main_unit = unit_label(main_measure.unit, currency);

  // Headline: the return of each change with its split (when the model has NPV), and the main column.
  const auto ret = find_row("return"), ret_cash = find_row("return_cash_flow"),
             ret_terminal = find_row("return_terminal_value");
  const bool split = ret && ret_cash && ret_terminal;
  for (std::size_t k = 1; k < ids.size(); ++k) {
    if (ret) {
      const Est e = diff_of(*ret, k);
      const std::string caveat = !(e.count >= 2)     ? " (one replicate: no confidence interval)"
                                 : e.excludes_zero() ? " — the 95 % CI excludes zero"
                                                     : " — not distinguishable from zero at 95 %";
      std::string parts;
      if (split)
        parts = fmt::format(" = cash flow over the horizon {} + terminal value {}",
                            mean_text(diff_of(*ret_cash, k), money), mean_text(diff_of(*ret_terminal, k), money));
      out.headline += fmt::format("<li>{} compared with {}: a return of {} in net present value{}{}.</li>",
                                  esc(name_of(k)), esc(ids[0]), est_text(e, money), parts, caveat);
    }
    const auto it = row_index.find(main_col);
    if (!main_col.empty() && it != row_index.end()) {
      const Est e = diff_of(it->second, k);
      out.headline +=
          fmt::format("<li>{} changes {} at the end by {} compared with {}.</li>", esc(name_of(k)),
                      esc(humanize(main_col)), est_text(e, figure_format(main_measure, currency, true)), esc(ids[0]));
    }
  }

  std::string body = "<section id=\"compare\"><h2>What-ifs compared</h2><ol class=\"whatifs\">";
  for (std::size_t k = 0; k < ids.size(); ++k)
    body += fmt::format("<li><b>{}</b> {}{}</li>", esc(ids[k]), esc(labels[k]), k == 0 ? " (baseline)" : "");
  body += "</ol>";
  body += fmt::format("<p>{}</p>", esc(str_at(cmp, "/pairing")));

  if (!main_col.empty()) {
    const std::string ylabel = humanize(main_col) + (main_unit.empty() ? "" : " (" + main_unit + ")");
    // One what-if's band (mean and 95 % CI) under JSON pointer p.
    auto band = [&](const std::string& p, std::string label, std::size_t k) {
      LineSeries s;
      s.label = std::move(label);
      s.color = kPalette[k % kPalette.size()];
      s.mean = dbl_list(at_ptr(cmp, p + "/mean"));
      s.lo = dbl_list(at_ptr(cmp, p + "/ci_low"));
      s.hi = dbl_list(at_ptr(cmp, p + "/ci_high"));
      s.mean_trace = {src, p + "/mean"};
      s.lo_trace = {src, p + "/ci_low"};
      s.hi_trace = {src, p + "/ci_high"};
      return s;
    };
    std::vector<LineSeries> series;
    std::vector<double> xs;
    for (std::size_t k = 0; k < ids.size(); ++k) {
      LineSeries s = band(fmt::format("/timeseries/whatifs/{}/series/{}", k, ptr_token(main_col)), name_of(k), k);
      if (xs.empty())
        for (std::size_t t = 0; t < s.mean.size(); ++t) xs.push_back(double(t));
      series.push_back(std::move(s));
    }
    body += line_plot(humanize(main_col) + " over time, per what-if (mean, 95 % CI band)", step_label(config0), ylabel,
                      xs, series, 720, 340, true);
    // The paired difference per step: what common random numbers buy.
    std::vector<LineSeries> diffs;
    for (std::size_t k = 1; k < ids.size(); ++k) {
      const std::string p = fmt::format("/timeseries/whatifs/{}/difference/{}", k, ptr_token(main_col));
      if (!at_ptr(cmp, p + "/mean")) continue;
      diffs.push_back(band(p, ids[k] + " − " + ids[0], k));
    }
    if (!diffs.empty())
      body += line_plot(humanize(main_col) + ": paired difference to " + ids[0] + " over time (mean, 95 % CI band)",
                        step_label(config0), "Δ " + ylabel, xs, diffs, 720, 300, true);
  }

  if (ret) {
    // The return of each change beside its split: cash flow over the horizon + terminal value.
    std::vector<Category> cats;
    for (std::size_t k = 1; k < ids.size(); ++k) {
      auto bar = [&](std::size_t row, const std::string& what, const std::string& color) {
        const Est e = diff_of(row, k);
        return Bar{e.mean, 0, e.lo, e.hi, color, fmt::format("{}: {} {}", name_of(k), what, money.text(e.mean.v))};
      };
      Category c{name_of(k), {}};
      if (split) {
        c.bars = {bar(*ret, "return", kTotalColor), bar(*ret_cash, "cash flow over the horizon", kPalette[0]),
                  bar(*ret_terminal, "terminal value", kPalette[4])};
      } else {
        const Est e = diff_of(*ret, k);
        c.bars = {bar(*ret, "return", e.mean.v < 0 ? kCostColor : kGainColor)};
      }
      cats.push_back(std::move(c));
    }
    std::vector<std::pair<std::string, std::string>> legend_items;
    if (split)
      legend_items = {
          {"return (ΔNPV)", kTotalColor}, {"cash flow over the horizon", kPalette[0]}, {"terminal value", kPalette[4]}};
    body += bar_chart("Return of each change against " + ids[0] + " (paired ΔNPV, 95 % CI)",
                      currency.empty() ? "ΔNPV" : "ΔNPV (" + currency + ")", cats, legend_items, false, money);
    body += fmt::format("<p class=\"note\">{}.</p>", esc(str_at(cmp, fmt::format("/rows/{}/note", *ret))));
  }

  // The side-by-side table: the model's headline figures and the returns, then every figure.
  auto table = [&](const std::vector<std::size_t>& which) {
    std::string t = "<div class=\"scroll\"><table class=\"figures\"><thead><tr><th>figure</th>";
    for (std::size_t k = 0; k < ids.size(); ++k) {
      t += fmt::format("<th>{}</th>", esc(ids[k]));
      if (k > 0) t += fmt::format("<th>Δ {}−{} (paired)</th>", esc(ids[k]), esc(ids[0]));
    }
    t += "</tr></thead><tbody>";
    for (std::size_t j = 0; j < which.size(); ++j) {
      const std::size_t i = which[j];
      const json& row = (*rows)[i];
      const std::string name = row.value("name", std::string());
      const std::string kind = row.value("kind", std::string());
      auto name_at = [&](std::size_t back) {
        return j >= back ? (*rows)[which[j - back]].value("name", std::string()) : std::string();
      };
      const Measure m = measures.row(row);
      std::string label = esc(humanize(name));
      if (const std::string mark = split_marker(value_split_of(config0), name, name_at(1), name_at(2)); !mark.empty())
        label = "&nbsp;&nbsp;" + mark + " " + label;
      else if (kind == "final")
        label += " <small>(at the end)</small>";
      else if (kind == "total")
        label += " <small>(total over the run)</small>";
      else if (kind == "max")
        label += " <small>(largest at one step)</small>";
      t += "<tr>" + name_cell(label, m);
      const FigureFormat level = figure_format(m, currency), diff = figure_format(m, currency, true);
      for (std::size_t k = 0; k < ids.size(); ++k) {
        const std::string p = fmt::format("/rows/{}/whatifs/{}", i, k);
        const Est e = read_est(cmp, src, p + "/estimate");
        t += fmt::format("<td class=\"num\">{}</td>", est_cell(e, level));
        if (k > 0) {
          const Est d = read_est(cmp, src, p + "/difference");
          t += fmt::format("<td class=\"num{}\">{}</td>", d.excludes_zero() ? " sure" : "", est_cell(d, diff));
        }
      }
      t += "</tr>";
    }
    return t + "</tbody></table></div>";
  };
  std::vector<std::size_t> headline, every;
  for (std::size_t i = 0; i < rows->size(); ++i) {
    every.push_back(i);
    const json& row = (*rows)[i];
    if (row.value("kind", std::string()) == "metric" && measures.row(row).headline > 0) headline.push_back(i);
  }
  std::stable_sort(headline.begin(), headline.end(), [&](std::size_t a, std::size_t b) {
    return measures.row((*rows)[a]).headline < measures.row((*rows)[b]).headline;
  });
  if (!headline.empty())
    for (std::size_t i = 0; i < rows->size(); ++i)
      if ((*rows)[i].value("kind", std::string()) == "return") headline.push_back(i);
  if (!headline.empty() && headline.size() < every.size()) {
    body += "<h3>Side by side: the headline figures</h3>" + table(headline);
    body +=
        fmt::format("<details><summary>all {} figures side by side</summary>{}</details>", every.size(), table(every));
  } else {
    body += "<h3>Side by side</h3>" + table(every);
  }
  body +=
      "<p class=\"note\">Values are means with their 95 % CI below. Bold differences have a 95 % CI that excludes "
      "zero. Differences of shares are in percentage points (pp). The 95 % CI of persons and counts is cut at 0.</p>";
  out.body = body + "</section>";
  return out;
}

const std::vector<std::string> kPartitionOrder = {"own_margin", "retention_ripple",  "acquisition_ripple",
                                                  "service",    "acquisition_spend", "terminal_value"};

/// The words of a cost.json's model (Offers::cost) and its ledger's meanings, from this build's
/// registry; a model this build does not have reads in the application's generic words.
struct CostWords {
  CostQuestion q;
  std::map<std::string, std::string> part_meaning;  ///< what each part of a cost means (`partition`, `by_whom`)
};
CostWords cost_words(const json& cost) {
  CostWords w;
  const ModelInfo* info = Registry::instance().find(cost.value("model", std::string()));
  if (info && !info->offers.cost.treatment.empty()) w.q = info->offers.cost;
  const LedgerColumn* service = info ? info->offers.ledger_column("service") : nullptr;
  w.part_meaning = {{"own_margin", fmt::format("the {}'s margins lost over the horizon", w.q.focal)},
                    {"retention_ripple", "margins of other customers lost through word of mouth"},
                    {"acquisition_ripple", "margins of prospects not won through word of mouth"},
                    {"service", service ? service->meaning : "service costs"},
                    {"acquisition_spend", "acquisition spend to win customers back"},
                    {"terminal_value", "value after the horizon of the customers lost or not won"},
                    {"margins", "their margins over the horizon"},
                    {"own_terminal_value", fmt::format("the {}'s value after the horizon", w.q.focal)}};
  return w;
}

/// The partition as a waterfall: each part moves the running total; the last bar is the
/// total from zero.
std::string waterfall(const json& cost, const std::string& base, const std::string& title, const FigureFormat& u) {
  const std::string src = "cost.json";
  const json* part = at_ptr(cost, base + "/partition");
  if (!part || !part->is_object()) return "";
  std::vector<std::string> keys;
  for (const auto& k : kPartitionOrder)
    if (part->contains(k)) keys.push_back(k);
  for (auto it = part->begin(); it != part->end(); ++it)
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
  std::vector<Category> cats;
  double level = 0;
  for (const auto& k : keys) {
    const Est e = read_est(cost, src, base + "/partition/" + ptr_token(k));
    Bar b{e.mean,
          level,
          e.lo,
          e.hi,
          e.mean.v < 0 ? kGainColor : kCostColor,
          fmt::format("{}: {}", humanize(k), u.text(e.mean.v))};
    cats.push_back(Category{humanize(k), {b}});
    if (e.mean.ok()) level += e.mean.v;
  }
  const Est t = read_est(cost, src, base + "/total");
  cats.push_back(Category{"total", {Bar{t.mean, 0, t.lo, t.hi, kTotalColor, "total: " + u.text(t.mean.v)}}});
  return bar_chart(title, u.currency.empty() ? "cost" : "cost (" + u.currency + ")", cats, {}, true, u);
}

/// A table of estimates, one row per (label, help, JSON pointer): mean, 95 % CI, SE and n.
/// `strong` rows (subtotals, totals) are bold.
struct EstRow {
  std::string label, help, pointer;
  FigureFormat format;
  bool strong = false;
};

std::string est_table(const json& doc, const std::string& src, const std::vector<EstRow>& rows,
                      const std::string& first_header = "figure") {
  std::string t = fmt::format(
      "<div class=\"scroll\"><table class=\"figures\"><thead><tr><th>{}</th><th>mean</th><th>95 % CI</th><th>SE</th>"
      "<th>n</th></tr></thead><tbody>",
      esc(first_header));
  for (const auto& r : rows) {
    const Est e = read_est(doc, src, r.pointer);
    if (!e.mean.ok()) continue;
    const Value se{dbl(at_ptr(doc, r.pointer + "/se")), {src, r.pointer + "/se"}};
    const Value n{dbl(at_ptr(doc, r.pointer + "/count")), {src, r.pointer + "/count"}};
    FigureFormat se_format = r.format;
    se_format.difference = true;  // a spread: shares in percentage points
    // The SE at the precision of the mean and its CI.
    double ref = 0;
    for (double v : {e.mean.v, e.lo.v, e.hi.v})
      if (std::isfinite(v)) ref = std::max(ref, std::fabs(v));
    t += fmt::format(
        "<tr{}><td>{}{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td></tr>",
        r.strong ? " class=\"strong\"" : "", esc(r.label),
        r.help.empty() ? "" : "<div class=\"help\">" + esc(r.help) + "</div>", mean_text(e, r.format),
        ci_text(e, r.format), se.ok() ? quote(se, se_format.text(se.v, r.format.decimals(ref))) : "—",
        n.ok() ? quote(n, FigureFormat{Unit::Count, "", false, false}.text(n.v)) : "—");
  }
  return t + "</tbody></table></div>";
}

/// The rows of a cost split by whom under `base` (cost.json's `by_whom`): the complainant's
/// parts and subtotal, the ripple's (everyone else) parts and subtotal, and the total.
std::vector<EstRow> by_whom_rows(const json& cost, const std::string& base, const FigureFormat& u,
                                 const CostWords& words) {
  std::vector<EstRow> rows;
  const auto& kPartMeaning = words.part_meaning;
  const std::vector<std::pair<std::string, std::string>> who = {
      {words.q.focal, fmt::format("the {}: {}", words.q.focal, words.q.focal_parts)},
      {"ripple", "the ripple — everyone else: their margins, terminal values and acquisition spend"}};
  for (const auto& [w, label] : who) {
    const std::string p = base + "/by_whom/" + w;
    rows.push_back(EstRow{label, "", p + "/total", u, true});
    if (const json* parts = at_ptr(cost, p); parts && parts->is_object())
      for (auto it = parts->begin(); it != parts->end(); ++it) {
        if (it.key() == "total") continue;
        auto m = kPartMeaning.find(it.key());
        rows.push_back(EstRow{"    " + humanize(it.key()), m == kPartMeaning.end() ? "" : m->second,
                              p + "/" + ptr_token(it.key()), u, false});
      }
  }
  rows.push_back(EstRow{fmt::format("total ({} + ripple)", words.q.focal), "", base + "/total", u, true});
  return rows;
}

/// The rows of a cost split by kind under `base` (cost.json's `partition`), and the total.
std::vector<EstRow> by_kind_rows(const json& cost, const std::string& base, const FigureFormat& u,
                                 const CostWords& words) {
  std::vector<EstRow> rows;
  const auto& kPartMeaning = words.part_meaning;
  if (const json* part = at_ptr(cost, base + "/partition"); part && part->is_object()) {
    std::vector<std::string> keys;
    for (const auto& k : kPartitionOrder)
      if (part->contains(k)) keys.push_back(k);
    for (auto it = part->begin(); it != part->end(); ++it)
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
    for (const auto& k : keys) {
      auto m = kPartMeaning.find(k);
      rows.push_back(
          EstRow{humanize(k), m == kPartMeaning.end() ? "" : m->second, base + "/partition/" + ptr_token(k), u, false});
    }
  }
  rows.push_back(EstRow{"total", "", base + "/total", u, true});
  return rows;
}

Section cost_section(const json& cost) {
  Section out;
  const std::string src = "cost.json";
  const std::string currency = cost.value("currency", std::string("$"));
  const FigureFormat u{Unit::Money, currency, false, false};
  const FigureFormat persons{Unit::Persons, "", false, false};
  const FigureFormat listeners{Unit::Count, "", false, false};
  const Est total = read_est(cost, src, "/total");
  if (!total.mean.ok()) throw Error("cost.json: 'total' must be an estimate {mean, se, ci_low, ci_high, count}");
  const CostWords words = cost_words(cost);
  const CostQuestion& q = words.q;

  // The headline splits the cost by whom: the focal agent, and the ripple (everyone else).
  const Est complainant = read_est(cost, src, "/by_whom/" + ptr_token(q.focal) + "/total");
  const Est ripple = read_est(cost, src, "/by_whom/ripple/total");
  std::string headline = fmt::format("<li class=\"lead\">Each {} costs about {}", esc(q.event), est_text(total, u));
  if (complainant.mean.ok() && ripple.mean.ok())
    headline += fmt::format(
        ": {} the {} ({}) and {} the ripple — everyone else (their margins, terminal values and acquisition spend)",
        mean_text(complainant, u), esc(q.focal), esc(q.focal_parts), mean_text(ripple, u));
  headline += ".</li>";
  const std::string per100_key = "/lost_or_not_won_per_100_" + ptr_token(q.participle);
  const Est per100 = read_est(cost, src, per100_key);
  const Est per100_others = read_est(cost, src, "/others_" + per100_key.substr(1));
  if (per100.mean.ok())
    headline +=
        fmt::format("<li>Customers lost or not won per 100 {}, {} included: {}{}.</li>", esc(q.events), esc(q.focal),
                    est_text(per100, persons),
                    per100_others.mean.ok() ? "; others only: " + est_text(per100_others, persons) : std::string());
  const Est lost = read_est(cost, src, "/lost_customer/total");
  const Est lost_ripple = read_est(cost, src, "/lost_customer/ripple");
  if (lost.mean.ok())
    headline += fmt::format(
        "<li>Losing one customer outright costs about {}{}.</li>", est_text(lost, u),
        lost_ripple.mean.ok() ? ", of which " + mean_text(lost_ripple, u) + " is the ripple" : std::string());
  const Est gap = read_est(cost, src, "/customer_gap"), repl = read_est(cost, src, "/replacement_cost");
  if (gap.mean.ok() && repl.mean.ok())
    headline += fmt::format(
        "<li>At the horizon the customer base is {} smaller, {} included; buying it back at the "
        "acquisition cost would take {}.</li>",
        est_text(gap, persons), esc(q.focal), est_text(repl, u));
  out.headline = headline;

  std::string body = fmt::format("<section id=\"cost\"><h2>The cost of {}</h2>", esc(q.an_event));
  body += fmt::format(
      "<p>Each focal event is a {} injected into the same world twice, on common random "
      "numbers: handled <b>{}</b> in one run and <b>{}</b> in the other. The cost is the "
      "paired difference in net present value (terminal value included), averaged over {} focal "
      "events in {} replicates, and split exactly — by construction, agent by agent, not as a residual — by whom "
      "(the {}, and the ripple: everyone else) and by kind.</p>",
      esc(q.injected), esc(q.treatment), esc(q.control), esc(json_text(cost.value("focal_events", json(nullptr)))),
      esc(json_text(cost.value("replicates", json(nullptr)))), esc(q.focal));
  if (cost.contains("definition") && cost["definition"].is_string())
    body += fmt::format("<p class=\"note\">Definition: {}.</p>", esc(cost["definition"].get<std::string>()));

  body += "<h3>By whom</h3>" + est_table(cost, src, by_whom_rows(cost, "", u, words), "who pays");
  body += fmt::format(
      "<p class=\"note\">The {}'s parts sum to its subtotal, the ripple's to its own, and the two "
      "subtotals to the total. Costs count positive when {} keeps more value.</p>",
      esc(q.focal), esc(q.control_gerund));
  body += "<h3>By kind</h3>" + est_table(cost, src, by_kind_rows(cost, "", u, words), "part");
  body += waterfall(cost, "", fmt::format("Cost of one {}, part by part (mean, 95 % CI)", q.event), u);

  if (const json* ch = at_ptr(cost, "/by_channel"); ch && ch->is_object() && !ch->empty()) {
    std::vector<Category> cats;
    if (ripple.mean.ok())
      cats.push_back(Category{
          "ripple, every channel on",
          {Bar{ripple.mean, 0, ripple.lo, ripple.hi, kTotalColor, "the whole ripple: " + u.text(ripple.mean.v)}}});
    for (auto it = ch->begin(); it != ch->end(); ++it) {
      const Est e = read_est(cost, src, "/by_channel/" + ptr_token(it.key()));
      cats.push_back(Category{humanize(it.key()),
                              {Bar{e.mean, 0, e.lo, e.hi, kPalette[2], humanize(it.key()) + ": " + u.text(e.mean.v)}}});
    }
    body += bar_chart("The ripple through each word-of-mouth channel (mean, 95 % CI)", "ripple (" + currency + ")",
                      cats, {}, false, u);
    const std::string def = str_at(cost, "/by_channel_definition");
    if (!def.empty()) body += fmt::format("<p class=\"note\">{}.</p>", esc(capitalized(def)));
  }
  if (const json* dec = at_ptr(cost, "/by_degree_decile"); dec && dec->is_array() && !dec->empty()) {
    std::vector<Category> cats;
    for (std::size_t i = 0; i < dec->size(); ++i) {
      const json& d = (*dec)[i];
      const std::string p = fmt::format("/by_degree_decile/{}/cost", i);
      const Est e = read_est(cost, src, p);
      const std::string label =
          fmt::format("D{} (degree {}–{})", json_text(d.value("decile", json(i + 1))),
                      json_text(d.value("degree_min", json(nullptr))), json_text(d.value("degree_max", json(nullptr))));
      cats.push_back(Category{label, {Bar{e.mean, 0, e.lo, e.hi, kPalette[0], label + ": " + u.text(e.mean.v)}}});
    }
    body += bar_chart("Cost by the focal customer's degree (deciles; mean, 95 % CI)", "cost (" + currency + ")", cats,
                      {}, false, u, 760, 320);
  }
  if (const json* wc = at_ptr(cost, "/wom_by_channel"); wc && wc->is_object() && !wc->empty()) {
    std::vector<Category> cats;
    for (auto it = wc->begin(); it != wc->end(); ++it) {
      Category c{humanize(it.key()), {}};
      const std::vector<std::pair<std::string, std::string>> valences = {{"positive", kGainColor},
                                                                         {"negative", kCostColor}};
      for (const auto& [valence, color] : valences) {
        const Est e = read_est(cost, src, "/wom_by_channel/" + ptr_token(it.key()) + "/" + valence);
        c.bars.push_back(Bar{e.mean, 0, e.lo, e.hi, color,
                             fmt::format("{}, {}: {}", humanize(it.key()), valence, listeners.text(e.mean.v))});
      }
      cats.push_back(std::move(c));
    }
    body += bar_chart(
        fmt::format("Word of mouth by channel: listeners reached over the run, per replicate of the world without "
                    "a focal {}",
                    q.injected),
        "listeners", cats, {{"positive", kGainColor}, {"negative", kCostColor}}, false, listeners);
  }

  if (at_ptr(cost, "/lost_customer/total")) {
    body += "<h3>Losing one customer outright</h3>";
    if (at_ptr(cost, "/lost_customer/by_whom"))
      body += est_table(cost, src, by_whom_rows(cost, "/lost_customer", u, words), "who pays");
    body += est_table(cost, src, by_kind_rows(cost, "/lost_customer", u, words), "part");
    if (at_ptr(cost, "/lost_customer/partition"))
      body +=
          waterfall(cost, "/lost_customer", "Cost of losing one customer outright, part by part (mean, 95 % CI)", u);
  }

  // The customers behind the cost, each in its unit.
  body += "<h3>Customers lost or not won</h3>" +
          est_table(
              cost, src,
              {{fmt::format("customers lost or not won per 100 {}, {} included", q.events, q.focal), "", per100_key,
                persons, false},
               {fmt::format("customers lost or not won per 100 {}, others only", q.events), "",
                "/others_" + per100_key.substr(1), persons, false},
               {"other customers lost, per " + q.event, "", "/customers_lost", persons, false},
               {"prospects not won, per " + q.event, "", "/prospects_not_won", persons, false},
               {fmt::format("customer gap at the horizon, {} included", q.focal), "", "/customer_gap", persons, false},
               {"replacement cost of the gap", "customer gap × acquisition cost", "/replacement_cost", u, false}});
  const std::string lost_def = str_at(cost, "/lost_or_not_won_definition");
  if (!lost_def.empty()) body += fmt::format("<p class=\"note\">{}.</p>", esc(capitalized(lost_def)));
  out.body = body + "</section>";
  return out;
}

const char* kStyle = R"(
:root { --ink: #1b2631; --muted: #5d6d7e; --rule: #d5d8dc; --shade: #f4f6f7; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-top: 12px; border-top: 2px solid var(--rule); }
h3 { font-size: 16px; margin: 24px 0 8px; }
.sub { color: var(--muted); margin: 0 0 16px; }
.headline { background: var(--shade); border-left: 4px solid #0072B2; padding: 12px 20px; margin: 16px 0; }
.headline ul { margin: 0; padding-left: 18px; }
.headline li { margin: 4px 0; }
.headline li.lead { font-size: 18px; font-weight: 600; }
.fig { font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 14px; }
th, td { border-bottom: 1px solid var(--rule); padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: var(--shade); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.sure { font-weight: 700; }
tr.strong td { font-weight: 600; }
td.changed { background: #fef5e7; }
td.varies { background: #fdebd0; font-weight: 600; }
.help { color: var(--muted); font-size: 12px; max-width: 460px; }
.note { color: var(--muted); font-size: 13px; }
.multiples { display: flex; flex-wrap: wrap; gap: 8px; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll table.figures td:first-child { min-width: 13em; }
td .ci { display: block; color: var(--muted); font-size: 12px; }
svg.plot { max-width: 100%; height: auto; display: block; margin: 8px 0; font-family: inherit; }
.ptitle { font-size: 13px; font-weight: 600; fill: var(--ink); }
.tick { font-size: 10.5px; fill: var(--muted); }
.axis { font-size: 11px; fill: var(--muted); }
.legend { font-size: 11px; fill: var(--ink); }
.vlabel { font-size: 10.5px; fill: var(--ink); }
line.grid { stroke: #eaeded; stroke-width: 1; }
line.zero { stroke: #7f8c8d; stroke-width: 1; }
line.axisline { stroke: #7f8c8d; stroke-width: 1; }
line.connector { stroke: #7f8c8d; stroke-width: 1; stroke-dasharray: 3 2; }
path.line { fill: none; stroke-width: 2; }
path.ci { fill: none; stroke-width: 0.6; stroke-opacity: 0.5; }
path.band { fill-opacity: 0.18; stroke: none; }
path.whisker { stroke: #17202a; stroke-width: 1.2; fill: none; }
pre { background: var(--shade); padding: 12px; overflow: auto; font-size: 12px; max-height: 480px; }
details summary { cursor: pointer; color: #0072B2; }
@media print { h2 { break-before: auto; } details { display: none; } }
)";

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(fmt::format("cannot read '{}'", p.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json read_json(const fs::path& p) {
  try {
    return json::parse(read_file(p));
  } catch (const json::exception& e) {
    throw Error(fmt::format("'{}' is not valid JSON: {}", p.string(), e.what()));
  }
}

}  // namespace

TimeseriesBands timeseries_bands(const std::string& text) {
  TimeseriesBands out;
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) throw Error("timeseries.csv: empty file");
  auto split = [](const std::string& l) {
    std::vector<std::string> f;
    std::size_t start = 0;
    for (;;) {
      const auto comma = l.find(',', start);
      f.push_back(l.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return f;
  };
  if (!line.empty() && line.back() == '\r') line.pop_back();
  const auto header = split(line);
  if (header.size() < 2 || header[0] != "replicate" || header[1] != "step")
    throw Error("timeseries.csv: expected a header starting with 'replicate,step'");
  out.columns.assign(header.begin() + 2, header.end());
  const std::size_t nc = out.columns.size();
  // values[c][step] = one value per replicate, in file order.
  std::vector<std::vector<std::vector<double>>> values(nc);
  std::vector<std::string> replicates_seen;
  std::size_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto f = split(line);
    if (f.size() != nc + 2)
      throw Error(fmt::format("timeseries.csv line {}: expected {} fields, got {}", lineno, nc + 2, f.size()));
    std::int64_t step = 0;
    auto [p, ec] = std::from_chars(f[1].data(), f[1].data() + f[1].size(), step);
    if (ec != std::errc() || p != f[1].data() + f[1].size() || step < 0)
      throw Error(fmt::format("timeseries.csv line {}: step '{}' is not a non-negative integer", lineno, f[1]));
    if (replicates_seen.empty() || replicates_seen.back() != f[0]) replicates_seen.push_back(f[0]);
    for (std::size_t c = 0; c < nc; ++c) {
      double v = kNaN;
      const std::string& s = f[c + 2];
      if (!s.empty()) {
        auto [q, ec2] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec2 != std::errc() || q != s.data() + s.size())
          throw Error(
              fmt::format("timeseries.csv line {}: '{}' in column '{}' is not a number", lineno, s, out.columns[c]));
      }
      auto& col = values[c];
      if (col.size() <= std::size_t(step)) col.resize(std::size_t(step) + 1);
      col[std::size_t(step)].push_back(v);
    }
  }
  out.replicates = std::int64_t(replicates_seen.size());
  out.stats.resize(nc);
  for (std::size_t c = 0; c < nc; ++c)
    for (const auto& v : values[c]) out.stats[c].push_back(estimate(v));
  return out;
}

ReportInputs read_report_inputs(const std::string& dir) {
  ReportInputs in;
  in.dir = dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(fmt::format("'{}' is not a folder of wom outputs", dir));
  const std::vector<std::string> commands = output_commands(dir);
  if (commands.empty())
    throw Error(
        fmt::format("'{}' holds no wom outputs: expected summary.json (wom run), compare.json (wom compare) "
                    "or cost.json (wom cost)",
                    dir));
  if (commands.size() > 1) {
    // A folder merged by a wom from before output folders were written whole: one report
    // would stitch several commands together as if they were one study.
    std::string found;
    for (const auto& c : commands) found += (found.empty() ? "" : ", ") + fmt::format("wom {}", c);
    throw Error(
        fmt::format("'{}' holds the outputs of more than one command ({}), merged by an older wom; a report "
                    "describes one: run each command into its own folder (--out DIR) and `wom report` that",
                    dir, found));
  }
  const fs::path d(dir);
  auto need = [&](const char* name) {
    if (!fs::exists(d / name, ec))
      throw Error(fmt::format("'{}' holds outputs of wom {} but not {}", dir, commands.front(), name));
    return d / name;
  };
  if (commands.front() == "run") {
    in.summary = read_json(need("summary.json"));
    if (fs::exists(d / "timeseries.csv", ec)) in.timeseries_csv = read_file(d / "timeseries.csv");
  } else if (commands.front() == "compare") {
    in.compare = read_json(need("compare.json"));
  } else if (commands.front() == "cost") {
    in.cost = read_json(need("cost.json"));
  } else {
    throw Error(fmt::format("'{}' holds outputs of 'wom {}', which has no report", dir, commands.front()));
  }
  return in;
}

std::string render_report(const ReportInputs& in) {
  if (!in.summary && !in.compare && !in.cost)
    throw Error("report: nothing to report (no summary.json, compare.json or cost.json)");
  // The scenario: from the run, else the comparison, else the cost study.
  std::string model;
  std::vector<std::pair<std::string, const json*>> configs;
  std::vector<std::pair<std::string, std::string>> facts;
  if (in.summary) {
    const json& s = *in.summary;
    model = s.value("model", std::string());
    configs.emplace_back("run", at_ptr(s, "/provenance/config"));
    facts.emplace_back("config file", str_at(s, "/provenance/config_file", "-"));
    facts.emplace_back("graph", str_at(s, "/provenance/graphs/0/description", "-"));
    facts.emplace_back("run",
                       fmt::format("{} replicates × {} steps, seed {}", json_text(s.value("replicates", json(0))),
                                   json_text(s.value("steps", json(0))), json_text(s.value("seed", json(0)))));
  } else if (in.compare) {
    const json& c = *in.compare;
    model = c.value("model", std::string());
    if (const json* w = at_ptr(c, "/provenance/whatifs"); w && w->is_array())
      for (std::size_t k = 0; k < w->size(); ++k)
        configs.emplace_back(str_at(*w, fmt::format("/{}/id", k)) + " " + str_at(*w, fmt::format("/{}/label", k)),
                             at_ptr(*w, fmt::format("/{}/config", k)));
    facts.emplace_back("graph", str_at(c, "/provenance/graph", "-"));
    facts.emplace_back(
        "run", fmt::format("{} replicates × {} steps per what-if, seed {}", json_text(c.value("replicates", json(0))),
                           json_text(c.value("steps", json(0))), json_text(c.value("seed", json(0)))));
  } else {
    const json& c = *in.cost;
    model = c.value("model", std::string());
    configs.emplace_back("cost", at_ptr(c, "/provenance/config"));
    facts.emplace_back("focal events", json_text(c.value("focal_events", json(nullptr))));
    facts.emplace_back("replicates", json_text(c.value("replicates", json(nullptr))));
    if (c.contains("t0_step")) facts.emplace_back("injected at step", json_text(c["t0_step"]));
    // The intervention options cost.json records (Offers::options), as the model declares them.
    if (const ModelInfo* info = Registry::instance().find(model))
      for (const auto& opt : info->offers.options)
        if (opt.recorded && c.contains(opt.name)) facts.emplace_back(opt.name, json_text(c[opt.name]));
    if (const json* e = at_ptr(c, "/efficiency"); e && e->is_object() && e->contains("method"))
      facts.emplace_back(
          "method",
          fmt::format("{}: {} variants through causal cones, {} by full runs; work {:.1f} full runs",
                      str_at(c, "/efficiency/method", "-"), json_text(e->value("variants_by_cone", json(0))),
                      json_text(e->value("variants_by_full_run", json(0))), e->value("full_run_equivalents", 0.0)));
  }

  std::vector<Section> sections;
  if (in.cost) sections.push_back(cost_section(*in.cost));
  if (in.compare) sections.push_back(compare_section(*in.compare));
  if (in.summary) sections.push_back(run_section(*in.summary, in.timeseries_csv));

  std::string title = "wom report — " + (model.empty() ? std::string("outputs") : model);
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  // Nothing may be fetched: the file must read the same offline and in a mail client.
  h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
       "img-src data:\">";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\">";
  h += fmt::format("<title>{}</title><style>{}</style></head><body><main>", esc(title), kStyle);
  h += fmt::format("<h1>{}</h1><p class=\"sub\">Generated by wom {} (git {}) from the outputs in <code>{}</code>.</p>",
                   esc(title), esc(kVersion), esc(kGitCommit), esc(in.dir.empty() ? std::string(".") : in.dir));
  std::string headline;
  for (const auto& s : sections) headline += s.headline;
  if (!headline.empty()) h += "<section class=\"headline\" id=\"headline\"><ul>" + headline + "</ul></section>";
  h += scenario_section(model, configs, facts);
  for (const auto& s : sections) h += s.body;

  h += "<section id=\"provenance\"><h2>Provenance</h2><p class=\"note\">Every plotted mark and quoted figure carries "
       "data-source, data-key and data-value attributes: the file, the JSON pointer (or column and statistic) and the "
       "exact value it shows.</p>";
  if (in.cost && in.cost->contains("provenance")) h += provenance_block("cost.json", (*in.cost)["provenance"]);
  if (in.compare && in.compare->contains("provenance"))
    h += provenance_block("compare.json", (*in.compare)["provenance"]);
  if (in.summary && in.summary->contains("provenance"))
    h += provenance_block("summary.json", (*in.summary)["provenance"]);
  h += "</section></main></body></html>\n";
  return h;
}

OutputFile report_file(const ReportInputs& inputs) {
  // Rendered now, so a report that cannot be drawn fails before any file is written.
  auto html = std::make_shared<std::string>(render_report(inputs));
  return OutputFile{"report.html", [html](std::ostream& out) { out << *html; }};
}

std::string write_report(const std::string& dir) {
  const ReportInputs in = read_report_inputs(dir);
  return add_file(dir, report_file(in));
}

}  // namespace wom
