// Autograd from Python: backward, autograd.grad, grad mode, grad_fn nodes, tensor hooks,
// retain_grad, and custom Functions (whose backward is a Python callable).
#include <algorithm>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/record.h"
#include "ops/elementwise.h"
#include "python/init.h"

namespace pt::python {

using autograd::Node;
using autograd::TensorList;

namespace {

// A Python callable kept by C++ (a hook, a custom backward); dropped under the GIL.
struct PyCallable {
  py::object fn;
  explicit PyCallable(py::object f) : fn(std::move(f)) {}
  ~PyCallable() {
    py::gil_scoped_acquire gil;
    fn = py::object();
  }
};

int next_hook_id() {
  static int id = 0;
  return ++id;
}

autograd::GradHook make_hook(py::object fn) {
  auto holder = std::make_shared<PyCallable>(std::move(fn));
  return [holder](const Tensor& g) -> Tensor {
    py::gil_scoped_acquire gil;
    py::object r = holder->fn(g);
    if (r.is_none()) return nullptr;
    PT_CHECK(is_tensor(r), TypeError, "hook must return None or a Tensor, got ", type_name(r));
    Tensor out = r.cast<Tensor>();
    PT_CHECK(out->sizes() == g->sizes(), RuntimeError, "hook has changed the size of value: expected ",
             g->sizes(), " but got ", out->sizes());
    return out;
  };
}

// The backward of a custom autograd.Function: a Python callable from gradients to gradients.
struct PyFunctionNode final : Node {
  PyFunctionNode(std::string name, py::object backward)
      : name_(std::move(name)), backward_(std::make_shared<PyCallable>(std::move(backward))) {}
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& grads) override {
    py::gil_scoped_acquire gil;
    py::tuple args(grads.size());
    for (size_t i = 0; i < grads.size(); ++i) args[i] = py::cast(grads[i]);
    py::object r = backward_->fn(*args);
    py::tuple rs = py::isinstance<py::tuple>(r) ? r.cast<py::tuple>() : py::make_tuple(r);
    PT_CHECK(rs.size() >= next_edges.size(), RuntimeError, "function ", name_,
             " returned an incorrect number of gradients (expected ", next_edges.size(), ", got ",
             rs.size(), ")");
    TensorList out(next_edges.size());
    for (size_t i = 0; i < next_edges.size(); ++i) {
      if (rs[i].is_none()) continue;
      PT_CHECK(is_tensor(rs[i]), TypeError, "function ", name_,
               ".backward must return Tensors or None, got ", type_name(rs[i]));
      out[i] = rs[i].cast<Tensor>();
    }
    return out;
  }
  void release_saved() override {}

 private:
  std::string name_;
  std::shared_ptr<PyCallable> backward_;
};

TensorList tensor_list(py::handle h, const char* what) {
  TensorList out;
  if (h.is_none()) return out;
  if (is_tensor(h)) return {h.cast<Tensor>()};
  for (py::handle x : h) {
    PT_CHECK(x.is_none() || is_tensor(x), TypeError, what, " must be a Tensor or a sequence of Tensors, got ",
             type_name(x));
    out.push_back(x.is_none() ? nullptr : x.cast<Tensor>());
  }
  return out;
}

py::tuple next_functions(const Node& n) {
  py::tuple t(n.next_edges.size());
  for (size_t i = 0; i < n.next_edges.size(); ++i) {
    const auto& e = n.next_edges[i];
    t[i] = py::make_tuple(e.fn ? py::cast(e.fn) : py::none(), e.input_nr);
  }
  return t;
}

}  // namespace

void init_autograd(py::module_& m, TensorClass& cls) {
  py::class_<Node, std::shared_ptr<Node>>(m, "Node")
      .def("name", &Node::name)
      .def_property_readonly("next_functions", &next_functions)
      .def("__repr__", [](py::handle self) {
        return "<" + self.cast<Node&>().name() + " object at " +
               py::str(py::module_::import("builtins").attr("hex")(py::module_::import("builtins").attr("id")(self)))
                   .cast<std::string>() + ">";
      });

  m.def("is_grad_enabled", &autograd::grad_enabled);
  m.def("_set_grad_enabled", &autograd::set_grad_enabled);

  cls.def_property_readonly("grad_fn", [](const Tensor& t) -> std::shared_ptr<Node> {
        return t->autograd() ? t->autograd()->grad_fn : nullptr;
      })
      .def_property_readonly("is_leaf", [](const Tensor& t) {
        return !t->autograd() || !t->autograd()->grad_fn;
      })
      .def_property_readonly("retains_grad", [](const Tensor& t) {
        return t->autograd() && t->autograd()->retains_grad;
      })
      .def("retain_grad", [](const Tensor& t) {
        PT_CHECK(t->requires_grad(), RuntimeError, "can't retain_grad on Tensor that has requires_grad=False");
        AutogradMeta& meta = t->autograd_mut();
        if (!meta.grad_fn || meta.retains_grad) return;  // leaves keep .grad anyway
        meta.retains_grad = true;
        std::weak_ptr<TensorImpl> weak = t;
        meta.grad_fn->pre_hooks.push_back({meta.output_nr, next_hook_id(), [weak](const Tensor& g) -> Tensor {
          if (Tensor self = weak.lock()) {
            AutogradMeta& sm = self->autograd_mut();
            sm.grad = sm.grad ? ops::add(sm.grad, g) : g;
          }
          return nullptr;
        }});
      })
      .def("register_hook", [](const Tensor& t, py::object fn) {
        PT_CHECK(t->requires_grad(), RuntimeError,
                 "cannot register a hook on a tensor that doesn't require gradient");
        const int id = next_hook_id();
        AutogradMeta& meta = t->autograd_mut();
        if (meta.grad_fn) meta.grad_fn->pre_hooks.push_back({meta.output_nr, id, make_hook(std::move(fn))});
        else meta.hooks.push_back({id, make_hook(std::move(fn))});
        std::weak_ptr<TensorImpl> weak = t;
        return py::module_::import("pytensor.autograd.graph").attr("RemovableHandle")(
            py::cpp_function([weak, id] {
              Tensor self = weak.lock();
              if (!self || !self->autograd()) return;
              AutogradMeta& sm = self->autograd_mut();
              auto& hs = sm.hooks;
              hs.erase(std::remove_if(hs.begin(), hs.end(), [id](auto& h) { return h.first == id; }), hs.end());
              if (sm.grad_fn) {
                auto& ph = sm.grad_fn->pre_hooks;
                ph.erase(std::remove_if(ph.begin(), ph.end(), [id](auto& h) { return h.id == id; }), ph.end());
              }
            }));
      }, py::arg("hook"))
      .def("backward", [](const Tensor& t, py::object gradient, py::object retain_graph, bool create_graph,
                          py::object inputs) {
        PT_CHECK(t->requires_grad(), RuntimeError,
                 "element 0 of tensors does not require grad and does not have a grad_fn");
        autograd::BackwardOptions o;
        o.create_graph = create_graph;
        o.retain_graph = retain_graph.is_none() ? create_graph : retain_graph.cast<bool>();
        TensorList grads;
        if (!gradient.is_none()) grads.push_back(as_tensor_arg(gradient, "backward"));
        TensorList ins = tensor_list(inputs, "inputs");
        PT_CHECK(inputs.is_none() || !ins.empty(), RuntimeError, "backward: 'inputs' argument to backward() cannot be empty.");
        autograd::run_backward({t}, grads, ins, o);
      }, py::arg("gradient") = py::none(), py::arg("retain_graph") = py::none(),
         py::arg("create_graph") = false, py::arg("inputs") = py::none());

  m.def("_run_backward", [](py::object outputs, py::object grad_outputs, py::object retain_graph,
                            bool create_graph, py::object inputs, bool allow_unused, bool capture) {
    autograd::BackwardOptions o;
    o.create_graph = create_graph;
    o.retain_graph = retain_graph.is_none() ? create_graph : retain_graph.cast<bool>();
    o.capture = capture;
    o.allow_unused = allow_unused;
    TensorList outs = tensor_list(outputs, "outputs");
    TensorList gos = tensor_list(grad_outputs, "grad_outputs");
    PT_CHECK(gos.empty() || gos.size() == outs.size(), RuntimeError, "grad requires one grad_output per output: got ",
             gos.size(), " grad_outputs for ", outs.size(), " outputs");
    TensorList r = autograd::run_backward(outs, gos, tensor_list(inputs, "inputs"), o);
    py::tuple t(r.size());
    for (size_t i = 0; i < r.size(); ++i) t[i] = r[i] ? py::cast(r[i]) : py::none();
    return t;
  });

  // Links the outputs of a custom Function's forward to a node running `backward`.
  m.def("_record_function", [](const std::string& name, py::object backward, py::object inputs,
                               py::object outputs) {
    TensorList ins = tensor_list(inputs, "inputs");
    if (!autograd::needs_grad(ins)) return;
    auto node = autograd::make_node<PyFunctionNode>(ins, name + "Backward", std::move(backward));
    TensorList outs = tensor_list(outputs, "outputs");
    for (size_t i = 0; i < outs.size(); ++i) autograd::set_history(outs[i], node, i);
  });
}

}  // namespace pt::python
