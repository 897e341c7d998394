#pragma once
/// Agent state as struct-of-arrays Eigen columns, double-buffered by the engine.
///
/// A model declares its columns once (`add<T>("name")`); each column holds `now` (state at
/// t, read-only during a step) and `next` (state at t+1, each agent writes only its own
/// slot). The engine swaps the buffers after every step. Kernels that leave an agent
/// unchanged must still leave `next` equal to `now` for it: `next = now` over the block first
/// (`carry`), or, where few agents change per step, copy back only the agents written in the
/// previous step (after the swap, `next` holds their old values; everyone else's are equal).
/// Attributes (`add_attribute`) and records (`add_record`, one struct per agent) are
/// single-buffered.
#include <Eigen/Core>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/core/error.hpp"

namespace wom {

template <class T>
using Col = Eigen::Array<T, Eigen::Dynamic, 1>;

class State {
  struct Base {
    std::string name;
    virtual ~Base() = default;
    virtual void swap() = 0;
    virtual std::size_t bytes() const = 0;
    virtual bool same(const Base& o, std::size_t v) const = 0;
  };
  template <class T>
  static bool same_bits(const T& a, const T& b) {
    // Bit identity is what is compared (−0 vs 0 and NaN payloads count as different).
    return std::memcmp(&a, &b, sizeof(T)) == 0;  // NOLINT(bugprone-suspicious-memory-comparison)
  }

 public:
  template <class T>
  struct Column : Base {
    Col<T> now, next;
    void swap() override { now.swap(next); }
    std::size_t bytes() const override { return sizeof(T) * std::size_t(now.size() + next.size()); }
    bool same(const Base& o, std::size_t v) const override {
      const auto* c = dynamic_cast<const Column<T>*>(&o);
      return c && same_bits(now[Eigen::Index(v)], c->now[Eigen::Index(v)]);
    }
    /// Copies now → next over [lo, hi): the start of a block kernel.
    void carry(std::size_t lo, std::size_t hi) {
      next.segment(Eigen::Index(lo), Eigen::Index(hi - lo)) = now.segment(Eigen::Index(lo), Eigen::Index(hi - lo));
    }
  };

  template <class T>
  struct Attribute : Base {
    Col<T> values;
    void swap() override {}
    std::size_t bytes() const override { return sizeof(T) * std::size_t(values.size()); }
    bool same(const Base& o, std::size_t v) const override {
      const auto* c = dynamic_cast<const Attribute<T>*>(&o);
      return c && same_bits(values[Eigen::Index(v)], c->values[Eigen::Index(v)]);
    }
  };

  template <class T>
  struct Record : Base {
    std::vector<T> values;
    void swap() override {}
    std::size_t bytes() const override { return sizeof(T) * values.size(); }
    bool same(const Base& o, std::size_t v) const override {
      const auto* c = dynamic_cast<const Record<T>*>(&o);
      return c && same_bits(values[v], c->values[v]);
    }
  };

  explicit State(std::size_t n = 0) : n_(n) {}
  std::size_t size() const { return n_; }

  /// Declares a double-buffered column initialised to `init`.
  template <class T>
  Column<T>& add(std::string name, T init = T{}) {  // NOLINT(performance-unnecessary-value-param): sink
    auto c = std::make_unique<Column<T>>();
    c->name = std::move(name);
    c->now = Col<T>::Constant(Eigen::Index(n_), init);
    c->next = c->now;
    auto& ref = *c;
    cols_.push_back(std::move(c));
    return ref;
  }
  /// Declares a single-buffered attribute: written only by its own agent and read only
  /// by it (e.g. a scheduled recovery step), so no double buffer is needed.
  template <class T>
  Col<T>& add_attribute(std::string name, T init = T{}) {  // NOLINT(performance-unnecessary-value-param): sink
    auto c = std::make_unique<Attribute<T>>();
    c->name = std::move(name);
    c->values = Col<T>::Constant(Eigen::Index(n_), init);
    auto& ref = c->values;
    cols_.push_back(std::move(c));
    return ref;
  }
  /// Declares a single-buffered record: one T per agent (an array of structs), for attributes a
  /// kernel reads and writes together at scattered agents, where one record is one or two cache
  /// lines and as many columns are as many lines. Same rules as add_attribute. T must be
  /// trivially copyable and have no padding bytes (agents are compared bit for bit).
  template <class T>
  std::vector<T>& add_record(std::string name, T init = T{}) {  // NOLINT(performance-unnecessary-value-param): sink
    static_assert(std::is_trivially_copyable_v<T>, "a record is copied and compared as bytes");
    auto c = std::make_unique<Record<T>>();
    c->name = std::move(name);
    c->values.assign(n_, init);
    auto& ref = c->values;
    cols_.push_back(std::move(c));
    return ref;
  }
  void swap() {
    for (auto& c : cols_) c->swap();
  }
  /// Whether agent v holds bit-identical values (`now` of columns, attributes, records) in
  /// `other`, a state with the same columns in the same order: paired runs are compared so.
  bool same_agent(const State& other, std::size_t v) const {
    if (other.cols_.size() != cols_.size()) return false;
    for (std::size_t k = 0; k < cols_.size(); ++k)
      if (!cols_[k]->same(*other.cols_[k], v)) return false;
    return true;
  }
  std::size_t bytes() const {
    std::size_t b = 0;
    for (auto& c : cols_) b += c->bytes();
    return b;
  }

 private:
  std::size_t n_;
  std::vector<std::unique_ptr<Base>> cols_;
};

}  // namespace wom
