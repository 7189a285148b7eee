"""Module.register_full_backward_hook / _pre_hook: one call's inputs and outputs pass through an
identity Function whose backward sees their gradients, so the hooks get (grad_input,
grad_output) per positional argument and per output, as in PyTorch."""
import warnings

from pytensor import _C
from pytensor.autograd.function import Function

_NO_INPUT_GRAD_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.")


class BackwardHookFunction(Function):
    """Identity on its tensors; backward hands their gradients to on_grads and returns what it
    gives back. Gradients of unused outputs stay None (not zeros), as the hooks expect."""

    @staticmethod
    def forward(ctx, on_grads, *tensors):
        ctx.on_grads = on_grads
        ctx.set_materialize_grads(False)
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_grads(grads))


def _check_count(kind, got, expected):
    if len(got) != expected:
        raise RuntimeError(f"Backward hook returned an invalid number of {kind}, got {len(got)}, "
                           f"but expected {expected}")


class BackwardHook:
    """The hooks' view of one forward call of `module`."""

    def __init__(self, module, n_args):
        self.module, self.n_args = module, n_args
        self.input_positions = []
        self.grad_outputs = None

    @staticmethod
    def _route(values, positions, on_grads):
        routed = BackwardHookFunction.apply(on_grads, *(values[i] for i in positions))
        values = list(values)
        for i, t in zip(positions, routed):
            values[i] = t
        return values

    def wrap_inputs(self, args):
        self.input_positions = [i for i, a in enumerate(args)
                                if isinstance(a, _C.Tensor) and a.requires_grad]
        if not self.input_positions:
            return args
        return tuple(self._route(args, self.input_positions, self._on_input_grads))

    def wrap_outputs(self, output):
        single = isinstance(output, _C.Tensor)
        if not (single or isinstance(output, tuple)):
            return output
        outs = (output,) if single else output
        positions = [i for i, o in enumerate(outs) if isinstance(o, _C.Tensor) and o.requires_grad]
        if not positions:
            return output
        self.n_outputs = len(outs)
        outs = self._route(outs, positions, lambda grads: self._on_output_grads(positions, grads))
        return outs[0] if single else type(output)(outs)

    def _on_output_grads(self, positions, grads):
        grad_outputs = [None] * self.n_outputs
        for i, g in zip(positions, grads):
            grad_outputs[i] = g
        grad_outputs = tuple(grad_outputs)
        for hook in list(self.module._backward_pre_hooks.values()):
            result = hook(self.module, grad_outputs)
            if result is not None:
                result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
                _check_count("grad_output", result, len(grad_outputs))
                grad_outputs = result
        self.grad_outputs = grad_outputs
        if not self.input_positions and self.module._backward_hooks:
            warnings.warn(_NO_INPUT_GRAD_WARNING, stacklevel=2)
            self._run_hooks((None,) * self.n_args)
        return tuple(grad_outputs[i] for i in positions)

    def _on_input_grads(self, grads):
        grad_input = [None] * self.n_args
        for i, g in zip(self.input_positions, grads):
            grad_input[i] = g
        grad_input = self._run_hooks(tuple(grad_input))
        return tuple(grad_input[i] for i in self.input_positions)

    def _run_hooks(self, grad_input):
        for hook in list(self.module._backward_hooks.values()):
            result = hook(self.module, grad_input, self.grad_outputs)
            if result is not None:
                result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
                _check_count("grad_input", result, len(grad_input))
                grad_input = result
        return grad_input
