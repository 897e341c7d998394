// The `wom` Python module's native part (`wom._wom`): a thin binding of the facade
// (api/wom.hpp). Everything that decides a result is in C++; python/wom/__init__.py only turns
// these results into NumPy arrays and pandas frames. The core never includes Python headers.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <yaml-cpp/yaml.h>

#include "api/wom.hpp"
#include "models/registry.hpp"
#include "sim/core/cancel.hpp"
#include "sweep/design.hpp"
#include "sweep/sensitivity.hpp"

namespace py = pybind11;
using json = nlohmann::ordered_json;

namespace {

PyObject* g_error = nullptr;
PyObject* g_config_error = nullptr;
PyObject* g_graph_error = nullptr;
PyObject* g_io_error = nullptr;

/// The kind of a wom::Error, from what its message names: a config's own problems (they name
/// the file and line, a --set, or several problems of a config) are config errors; then a file
/// that cannot be read or written (io); then a graph or edge list (graph); anything else is a
/// config, key or argument error.
PyObject* error_class(const std::string& m) {
  const auto colon = m.find(':');
  const bool file_line = colon != std::string::npos && colon + 1 < m.size() && std::isdigit(m[colon + 1]);
  if (file_line || m.rfind("--set", 0) == 0 || m.find("problems in config") != std::string::npos) return g_config_error;
  // A run too large for memory is the config's to change (lower graph.n), not a graph's fault.
  if (m.find("of memory") != std::string::npos) return g_config_error;
  for (const char* io : {"cannot read", "could not write", "cannot write", "not writable", "cannot create",
                         "output folder", "No such file", "is a folder", "is a directory", "disk"})
    if (m.find(io) != std::string::npos) return g_io_error;
  for (const char* g : {"graph", "edge list", "arc (", "vertex", "vertices"})
    if (m.find(g) != std::string::npos) return g_graph_error;
  return g_config_error;
}

/// Runs `f` on a worker thread with the GIL released, so Python threads go on and Ctrl-C is
/// seen: on KeyboardInterrupt the run is cancelled (it stops at its next step, writing nothing)
/// and the interrupt is raised once it has stopped.
template <class F>
auto interruptible(F&& f) -> decltype(f()) {
  using R = decltype(f());
  std::optional<R> result;
  std::exception_ptr error;
  bool interrupted = false;
  {
    py::gil_scoped_release nogil;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::thread worker([&] {
      try {
        result.emplace(f());
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mu);
      done = true;
      cv.notify_all();
    });
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) {
      if (interrupted) continue;
      lock.unlock();
      {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {  // the interrupt is now the pending Python error
          interrupted = true;
          wom::request_cancel();
        }
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  wom::clear_cancel();
  if (interrupted) throw py::error_already_set();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

wom::Config load(const std::string& config, bool is_text, const std::vector<std::string>& overrides) {
  wom::init();
  return is_text ? wom::config_from_yaml_text(config, "<config>", overrides) : wom::load_config(config, overrides);
}

wom::RunPlan plan_of(const wom::Config& c, std::optional<std::uint64_t> seed, std::optional<std::int64_t> replicates) {
  wom::PlanChoice choice;
  choice.seed = seed;
  choice.replicates = replicates;
  return choice.applied_to(c.plan);
}

/// A finished run: its scenario and output, and every replicate's trajectory in one
/// replicate-major block, which the NumPy views of `column` point into.
struct PyRun {
  wom::Scenario scenario;
  wom::RunOutput output;
  std::vector<std::string> names;
  std::vector<double> cube;  ///< [replicate][step][column]
  std::size_t rows = 0;      ///< steps + 1
};

py::array column(py::object self_obj, const std::string& name) {
  const PyRun& self = self_obj.cast<const PyRun&>();
  const auto it = std::find(self.names.begin(), self.names.end(), name);
  if (it == self.names.end()) {
    std::string list;
    for (const auto& n : self.names) list += (list.empty() ? "" : ", ") + n;
    throw wom::Error("unknown column '" + name + "' (columns: " + list + ")");
  }
  const std::size_t c = std::size_t(it - self.names.begin()), nc = self.names.size();
  const std::size_t R = self.output.results.size();
  // A read-only view: shape (replicates, steps + 1), base = the result object.
  py::array a(py::dtype::of<double>(), {R, self.rows}, {self.rows * nc * sizeof(double), nc * sizeof(double)},
              self.cube.data() + c, self_obj);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

}  // namespace

PYBIND11_MODULE(_wom, m) {
  m.doc() = "wom's native core (use the `wom` package)";
  g_error = PyErr_NewException("wom.Error", PyExc_Exception, nullptr);
  g_config_error = PyErr_NewException("wom.ConfigError", g_error, nullptr);
  g_graph_error = PyErr_NewException("wom.GraphError", g_error, nullptr);
  g_io_error = PyErr_NewException("wom.IOError", g_error, nullptr);
  m.attr("Error") = py::handle(g_error);
  m.attr("ConfigError") = py::handle(g_config_error);
  m.attr("GraphError") = py::handle(g_graph_error);
  m.attr("IOError") = py::handle(g_io_error);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const wom::Error& e) {
      PyErr_SetString(error_class(e.what()), e.what());
    } catch (const YAML::Exception& e) {
      PyErr_SetString(g_config_error, (std::string("YAML: ") + e.what()).c_str());
    }
  });

  py::class_<PyRun>(m, "_Run")
      .def("summary_json", [](const PyRun& r) { return wom::summary_json(r.scenario, r.output).dump(); })
      .def_property_readonly("names", [](const PyRun& r) { return r.names; })
      .def("column", &column)
      .def("timeseries", [](const PyRun& r) {
        // Rows (replicate, step), as timeseries.csv: replicate and step first, then the columns.
        const std::size_t nc = r.names.size(), R = r.output.results.size();
        py::array_t<double> a({R * r.rows, nc + 2});
        auto v = a.mutable_unchecked<2>();
        for (std::size_t k = 0; k < R; ++k)
          for (std::size_t t = 0; t < r.rows; ++t) {
            const std::size_t row = k * r.rows + t;
            v(row, 0) = double(r.output.results[k].replicate);
            v(row, 1) = double(t);
            for (std::size_t c = 0; c < nc; ++c) v(row, c + 2) = r.cube[(k * r.rows + t) * nc + c];
          }
        return a;
      });

  m.def(
      "run",
      [](const std::string& config, bool is_text, const std::vector<std::string>& overrides,
         std::optional<std::uint64_t> seed, std::optional<std::int64_t> replicates, int threads) {
        return interruptible([&] {
          const wom::Config c = load(config, is_text, overrides);
          wom::RunOptions o;
          o.threads = threads;
          auto r = std::make_unique<PyRun>();
          r->scenario = c.scenario;
          r->output = wom::run(c.scenario, plan_of(c, seed, replicates), o).output;
          if (!r->output.results.empty()) {
            r->names = r->output.results[0].trajectory.columns;
            r->rows = r->output.results[0].trajectory.rows();
            for (const auto& rep : r->output.results)
              r->cube.insert(r->cube.end(), rep.trajectory.values.begin(), rep.trajectory.values.end());
          }
          return r;
        });
      },
      py::arg("config"), py::arg("is_text"), py::arg("overrides"), py::arg("seed"), py::arg("replicates"),
      py::arg("threads"));

  m.def(
      "compare",
      [](const std::vector<std::string>& configs, const std::string& vary, const std::vector<std::string>& sets,
         std::optional<std::uint64_t> seed, std::optional<std::int64_t> replicates, int threads) {
        return interruptible([&] {
          wom::init();
          wom::CompareRequest req{configs, vary, sets};
          wom::PlanChoice choice{seed, replicates};
          wom::RunOptions o;
          o.threads = threads;
          const auto res = wom::compare(req, choice, o);
          std::ostringstream csv;
          wom::write_compare_csv(csv, res.comparison);
          return std::pair{csv.str(), wom::compare_json(res.comparison).dump()};
        });
      },
      py::arg("configs"), py::arg("vary"), py::arg("sets"), py::arg("seed"), py::arg("replicates"), py::arg("threads"));

  m.def(
      "cost",
      [](const std::string& config, bool is_text, const std::vector<std::string>& overrides,
         std::optional<std::uint64_t> seed, std::optional<std::int64_t> replicates, int threads, std::int64_t focal,
         std::int64_t channel_focal, const std::vector<std::pair<std::string, std::string>>& options, bool cone) {
        return interruptible([&] {
          const wom::Config c = load(config, is_text, overrides);
          wom::CostOptions co;
          co.focal = focal;
          co.channel_focal = channel_focal;
          co.options = options;
          co.cone = cone;
          wom::RunOptions o;
          o.threads = threads;
          const auto res = wom::cost(c.scenario, plan_of(c, seed, replicates), co, o);
          std::ostringstream csv;
          wom::write_cost_events_csv(csv, res.output);
          return std::pair{res.document.dump(), csv.str()};
        });
      },
      py::arg("config"), py::arg("is_text"), py::arg("overrides"), py::arg("seed"), py::arg("replicates"),
      py::arg("threads"), py::arg("focal"), py::arg("channel_focal"), py::arg("options"), py::arg("cone"));

  m.def(
      "sweep",
      [](const std::string& spec, const std::string& out, bool resume, std::int64_t shard_index,
         std::int64_t shard_count, int threads, bool fail_fast) {
        return interruptible([&] {
          wom::sweep::SweepOptions o;
          o.out = out;
          o.resume = resume;
          o.shard = {shard_index, shard_count};
          o.threads = threads;
          o.fail_fast = fail_fast;
          const auto r = wom::run_sweep(spec, o);
          return std::tuple{r.ran, r.skipped, r.status.points_done, r.status.points_pending, r.status.points_failed};
        });
      },
      py::arg("spec"), py::arg("out"), py::arg("resume"), py::arg("shard_index"), py::arg("shard_count"),
      py::arg("threads"), py::arg("fail_fast"));

  m.def("sweep_analyze", [](const std::string& dir) { return wom::analyze_sweep(dir); });

  m.def(
      "params",
      [](const std::string& model) {
        wom::init();
        const wom::ModelInfo* info = wom::Registry::instance().find(model);
        if (!info) {
          std::string names;
          for (const auto& mi : wom::Registry::instance().all()) names += (names.empty() ? "" : ", ") + mi.name;
          throw wom::Error("unknown model '" + model + "' (models: " + names + ")");
        }
        py::list rows;
        for (const auto& p : info->params) {
          py::dict d;
          d["key"] = "params." + p.key;
          if (p.type == wom::ParamType::String)
            d["default"] = p.def_str;
          else if (p.has_default)
            d["default"] = p.def;
          else
            d["default"] = py::none();
          d["range"] = p.range_text();
          d["unit"] = p.unit;
          d["source"] = p.source;
          d["meaning"] = p.help;
          rows.append(d);
        }
        return rows;
      },
      py::arg("model"));

  auto to_numpy = [](const wom::sweep::Matrix& x) {
    const std::size_t n = x.size(), k = n ? x[0].size() : 0;
    py::array_t<double> a({n, k});
    auto v = a.mutable_unchecked<2>();
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < k; ++j) v(i, j) = x[i][j];
    return a;
  };
  auto from_numpy = [](const py::array_t<double, py::array::c_style | py::array::forcecast>& a) {
    if (a.ndim() != 2) throw wom::Error("the design must be a 2-D array (one row per run)");
    wom::sweep::Matrix x(std::size_t(a.shape(0)), std::vector<double>(std::size_t(a.shape(1))));
    auto v = a.unchecked<2>();
    for (py::ssize_t i = 0; i < a.shape(0); ++i)
      for (py::ssize_t j = 0; j < a.shape(1); ++j) x[std::size_t(i)][std::size_t(j)] = v(i, j);
    return x;
  };
  m.def("design_lhs",
        [=](std::size_t n, std::size_t k, std::uint64_t seed) { return to_numpy(wom::sweep::lhs_design(n, k, seed)); });
  m.def("design_random", [=](std::size_t n, std::size_t k, std::uint64_t seed) {
    return to_numpy(wom::sweep::random_design(n, k, seed));
  });
  m.def("design_sobol", [=](std::size_t n, std::size_t k, std::uint64_t seed) {
    return to_numpy(wom::sweep::saltelli_design(n, k, seed));
  });
  m.def("design_morris", [=](std::size_t r, std::size_t k, std::size_t levels, std::uint64_t seed) {
    return to_numpy(wom::sweep::morris_design(r, k, levels, seed));
  });
  m.def(
      "sobol_indices",
      [](std::size_t n, std::size_t k, const std::vector<double>& y, std::size_t bootstrap, std::uint64_t seed) {
        const auto idx = wom::sweep::sobol_indices(n, k, y, bootstrap, seed);
        std::vector<std::array<double, 6>> out;
        for (const auto& s : idx) out.push_back({s.S1, s.S1_low, s.S1_high, s.ST, s.ST_low, s.ST_high});
        return out;
      },
      py::arg("n"), py::arg("k"), py::arg("y"), py::arg("bootstrap") = 1000, py::arg("seed") = 1);
  m.def(
      "morris_indices",
      [=](const py::array_t<double, py::array::c_style | py::array::forcecast>& design, const std::vector<double>& y,
          std::size_t k) {
        const auto idx = wom::sweep::morris_indices(from_numpy(design), y, k);
        std::vector<std::array<double, 3>> out;
        for (const auto& s : idx) out.push_back({s.mu, s.mu_star, s.sigma});
        return out;
      },
      py::arg("design"), py::arg("y"), py::arg("k"));
}
