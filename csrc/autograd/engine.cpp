#include "autograd/engine.h"

#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "autograd/grad_mode.h"
#include "core/error.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/factory.h"
#include "ops/reduce.h"

namespace pt::autograd {

namespace {

struct Later {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr < b->sequence_nr; }
};

// The gradient arriving for output `i` of `n`: a gradient of a broadcast shape is summed down
// to the output's shape; a shape that does not broadcast to it is a bug in `producer`.
Tensor validate(const Node& n, uint32_t i, Tensor g, const Node& producer) {
  const Node::OutputMeta& m = n.outputs[i];
  if (g->sizes() != m.sizes) {
    bool expandable = m.sizes.size() <= g->dim();
    for (int64_t d = 0; expandable && d < m.sizes.size(); ++d) {
      const int64_t s = m.sizes[m.sizes.size() - 1 - d], gs = g->sizes()[g->dim() - 1 - d];
      expandable = s == gs || s == 1;
    }
    PT_CHECK(expandable, RuntimeError, "Function ", producer.name(),
             " returned an invalid gradient at index ", i, " - got ", g->sizes(),
             " but expected shape compatible with ", m.sizes);
    g = ops::sum_to(g, m.sizes);
  }
  if (g->dtype() != m.dtype || g->device() != m.device) g = ops::to(g, m.dtype, m.device);
  return g;
}

}  // namespace

TensorList run_backward(const TensorList& roots, const TensorList& grad_roots,
                        const TensorList& inputs, const BackwardOptions& opts) {
  GradModeGuard mode(opts.create_graph);

  // Root edges and their initial gradients.
  std::vector<Edge> root_edges;
  TensorList root_grads;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    Edge e = gradient_edge(r);
    PT_CHECK(e.fn, RuntimeError, "element ", i,
             " of tensors does not require grad and does not have a grad_fn");
    Tensor g = i < grad_roots.size() ? grad_roots[i] : nullptr;
    if (!g) {
      PT_CHECK(r->numel() == 1, RuntimeError, "grad can be implicitly created only for scalar outputs");
      PT_CHECK(is_floating(r->dtype()), RuntimeError,
               "grad can be implicitly created only for real scalar outputs but got ", r->dtype());
      g = ops::full(r->sizes(), Scalar::from_int(1), r->dtype(), r->device());
    } else {
      PT_CHECK(g->sizes() == r->sizes(), RuntimeError, "Mismatch in shape: grad_output[", i,
               "] has a shape of ", g->sizes(), " and output[", i, "] has a shape of ", r->sizes(), ".");
    }
    root_edges.push_back(e);
    root_grads.push_back(g);
  }

  // Dependencies (number of edges into each node) and a topological order, iteratively.
  std::unordered_map<Node*, int> deps;
  std::vector<Node*> order;  // parents before children
  {
    std::unordered_set<Node*> seen;
    std::vector<std::pair<Node*, size_t>> stack;
    std::vector<Node*> post;
    for (const Edge& e : root_edges)
      if (seen.insert(e.fn.get()).second) stack.push_back({e.fn.get(), 0});
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      if (i < n->next_edges.size()) {
        Node* child = n->next_edges[i++].fn.get();
        if (!child) continue;
        ++deps[child];
        if (seen.insert(child).second) stack.push_back({child, 0});
      } else {
        post.push_back(n);
        stack.pop_back();
      }
    }
    order.assign(post.rbegin(), post.rend());
  }

  // Targets: where the gradients of `inputs` arrive, and which nodes lead there.
  std::unordered_map<Node*, std::vector<std::pair<uint32_t, size_t>>> targets;
  TensorList captured(inputs.size());
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& t = inputs[k];
    PT_CHECK(t->requires_grad(), RuntimeError, "One of the differentiated Tensors does not require grad");
    AutogradMeta* m = t->autograd();
    Edge e = m->grad_fn ? Edge{m->grad_fn, m->output_nr} : Edge{try_grad_accumulator(t), 0};
    if (!e.fn && !opts.capture) e = gradient_edge(t);
    if (e.fn) targets[e.fn.get()].push_back({e.input_nr, k});
  }
  std::unordered_set<Node*> needed;
  const bool filter = !inputs.empty();
  if (filter) {
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      Node* n = *it;
      bool need = targets.count(n) > 0;
      for (const Edge& e : n->next_edges) need = need || (e.fn && needed.count(e.fn.get()));
      if (need) needed.insert(n);
    }
  }

  std::unordered_map<Node*, TensorList> buffers;
  auto add_grad = [&](Node* n, uint32_t slot, Tensor g, const Node& producer) {
    TensorList& buf = buffers[n];
    if (buf.size() < n->outputs.size()) buf.resize(n->outputs.size());
    g = validate(*n, slot, std::move(g), producer);
    buf[slot] = buf[slot] ? ops::add(buf[slot], g) : std::move(g);
  };
  std::priority_queue<Node*, std::vector<Node*>, Later> ready;
  for (size_t i = 0; i < root_edges.size(); ++i)
    add_grad(root_edges[i].fn.get(), root_edges[i].input_nr, root_grads[i], *root_edges[i].fn);
  for (const Edge& e : root_edges)
    if (deps[e.fn.get()] == 0 && buffers.count(e.fn.get())) {
      ready.push(e.fn.get());
      deps[e.fn.get()] = -1;  // queued once
    }

  while (!ready.empty()) {
    Node* n = ready.top();
    ready.pop();
    TensorList grads = std::move(buffers[n]);
    buffers.erase(n);
    grads.resize(n->outputs.size());
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i]) grads[i] = ops::zeros(n->outputs[i].sizes, n->outputs[i].dtype, n->outputs[i].device);
    for (auto& h : n->pre_hooks) {
      Tensor r = h.fn(grads[h.output_nr]);
      if (r) grads[h.output_nr] = validate(*n, h.output_nr, std::move(r), *n);
    }
    if (auto t = targets.find(n); t != targets.end() && opts.capture)
      for (auto [slot, k] : t->second) captured[k] = grads[slot];

    const bool is_leaf_acc = dynamic_cast<AccumulateGrad*>(n) != nullptr;
    const bool run = filter ? needed.count(n) && !(opts.capture && is_leaf_acc) &&
                                  !(is_leaf_acc && !targets.count(n))
                            : !(opts.capture && is_leaf_acc);
    TensorList out;
    if (run) {
      out = n->apply(std::move(grads));
      if (!opts.retain_graph) n->release_saved();
    }
    for (size_t i = 0; i < n->next_edges.size(); ++i) {
      const Edge& e = n->next_edges[i];
      if (!e.fn) continue;
      Node* child = e.fn.get();
      if (i < out.size() && out[i]) add_grad(child, e.input_nr, std::move(out[i]), *n);
      if (--deps[child] == 0) {
        if (buffers.count(child)) {
          ready.push(child);
        } else {
          // Nothing reached this node: let its children's counts drop too.
          std::vector<Node*> dead{child};
          while (!dead.empty()) {
            Node* d = dead.back();
            dead.pop_back();
            for (const Edge& de : d->next_edges)
              if (de.fn && --deps[de.fn.get()] == 0) {
                if (buffers.count(de.fn.get())) ready.push(de.fn.get());
                else dead.push_back(de.fn.get());
              }
          }
        }
      }
    }
  }

  if (opts.capture)
    for (size_t k = 0; k < inputs.size(); ++k)
      PT_CHECK(captured[k] || opts.allow_unused, RuntimeError,
               "One of the differentiated Tensors appears to not have been used in the graph. "
               "Set allow_unused=True if this is the desired behavior.");
  return captured;
}

}  // namespace pt::autograd
