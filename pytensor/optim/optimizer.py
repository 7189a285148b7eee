"""Optimizer: the base class of every optimizer (param groups, per-parameter state, zero_grad,
state_dict / load_state_dict in PyTorch's layout)."""
import copy
import functools
import warnings
from collections import defaultdict

from pytensor._C import Tensor, zeros_like
from pytensor.autograd import enable_grad, no_grad

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks a hyper-parameter that has no default: every param group must give it."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _check_nonneg(value, what):
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what}: {value}")


def _zeros_buffer(state, name, p):
    """state[name], created as zeros like p when missing (an option turned on after the state
    was made)."""
    buf = state.get(name)
    if buf is None:
        buf = state[name] = zeros_like(p)
    return buf


def _check_flags(fused, differentiable):
    # Only the single-tensor path exists: there is no fused kernel and updates are not taped.
    if fused:
        raise NotImplementedError("pytensor.optim: fused=True is not supported")
    if differentiable:
        raise NotImplementedError("pytensor.optim: differentiable=True is not supported")


class Optimizer:
    """Holds the parameter groups and the per-parameter state of an optimizer.

    params is an iterable of Tensors or of dicts (param groups: 'params' plus per-group
    hyper-parameters overriding `defaults`). `state` maps each parameter tensor to its dict of
    buffers. Subclasses implement step()."""

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + params.type())
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs):
        # Every subclass's step() marks the optimizer as stepped, which lets LR schedulers
        # warn when scheduler.step() comes first (as PyTorch does).
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_marks_called", False):
            @functools.wraps(step)
            def marked(self, *args, **kw):
                self._opt_called = True
                return step(self, *args, **kw)
            marked._marks_called = True
            cls.step = marked

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def add_param_group(self, param_group):
        """Adds a group of parameters (a dict with 'params' and optional hyper-parameters)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        named = bool(params) and all(isinstance(p, tuple) and len(p) == 2 for p in params)
        if named:  # model.named_parameters(): PyTorch keeps the names as 'param_names'
            param_group = dict(param_group, param_names=[name for name, _ in params])
            params = [p for _, p in params]
        if self.param_groups and named != ("param_names" in self.param_groups[0]):
            raise ValueError("all optimizer param groups should be with/without names. cannot add "
                             f"param group {'with' if named else 'without'} names to the optimizer")
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(p).__name__)
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see github.com/pytorch/pytorch/"
                          "issues/40967 for more information", stacklevel=3)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Resets the gradients: drops them (set_to_none) or zeroes them in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure=None):
        """Performs one optimization step; closure re-evaluates the model and returns the loss."""
        raise NotImplementedError

    def _step_each(self, closure):
        """The step of the built-in optimizers: evaluates the closure with grad enabled, then
        calls self._update_group(group) under no_grad for each param group."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group):
        """Updates one group; each built-in optimizer reads the group's options once and calls
        its fused C++ update per parameter that has a grad."""
        raise NotImplementedError

    def state_dict(self):
        """{'state': {index: buffers}, 'param_groups': [group with 'params' as indices]}: the
        parameters are numbered in order across groups; the buffers are not copied."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        # Parameters without buffers (e.g. SGD without momentum) are left out, as in PyTorch.
        state = {index[id(p)]: s for p, s in self.state.items() if s and id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Loads a state_dict() result; buffers are copied and cast to their parameter's dtype
        and device (except 'step', which keeps its own)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        pairs = list(zip(self.param_groups, saved_groups))
        if any(len(g["params"]) != len(s["params"]) for g, s in pairs):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        params = {}
        for group, saved in pairs:
            params.update(zip(saved["params"], group["params"]))
        state = defaultdict(dict)
        for key, buffers in state_dict["state"].items():
            if key in params:
                p = params[key]
                state[p] = {name: _cast_like(p, value, name) for name, value in buffers.items()}
            else:
                state[key] = copy.deepcopy(buffers)
        self.state = state
        self.param_groups = [dict(copy.deepcopy({k: v for k, v in s.items() if k != "params"}),
                                  params=g["params"])
                             for g, s in pairs]


def _cast_like(param, value, name):
    if not isinstance(value, Tensor):
        return copy.deepcopy(value)
    if name != "step" and value.is_floating_point():
        return value.to(dtype=param.dtype, device=param.device, copy=True)
    return value.to(device=param.device, copy=True)
