"""Custom differentiable ops written in Python: subclass Function with static forward(ctx, ...)
and backward(ctx, *grads), then call Function.apply(...)."""
from pytensor import _C
from pytensor.autograd.grad_mode import no_grad


class FunctionCtx:
    """What forward leaves for backward: saved tensors (version-checked) and flags."""

    def save_for_backward(self, *tensors):
        self._saved = tuple(tensors)
        self._versions = tuple(None if t is None else t._version for t in tensors)

    @property
    def saved_tensors(self):
        saved = getattr(self, "_saved", ())
        for t, v in zip(saved, self._versions):
            if t is not None and t._version != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: it is at version {t._version}; expected version {v} instead.")
        return saved

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = {id(t) for t in tensors}

    def set_materialize_grads(self, value):
        self.materialize_grads = value


class Function:
    """Base class of custom autograd functions."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        tensor_args = [a if isinstance(a, _C.Tensor) else None for a in args]
        ctx.needs_input_grad = tuple(t is not None and t.requires_grad for t in tensor_args)
        with no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        single = isinstance(outputs, _C.Tensor)
        outs = (outputs,) if single else tuple(outputs)
        skip = getattr(ctx, "_non_differentiable", set())
        inputs = [t for t in tensor_args]
        # An output that is an input returned as is gets a fresh alias, so its history is new.
        outs = tuple(o.view_as(o) if isinstance(o, _C.Tensor) and any(o is i for i in inputs) else o
                     for o in outs)

        def backward(*grads):
            result = cls.backward(ctx, *grads)
            result = result if isinstance(result, tuple) else (result,)
            # One gradient per forward argument; those of non-tensor arguments are dropped.
            return tuple(g for g, t in zip(result, tensor_args) if t is not None) if len(result) == len(args) else result

        _C._record_function(cls.__name__, backward, [t for t in tensor_args if t is not None],
                            [o for o in outs if isinstance(o, _C.Tensor) and id(o) not in skip])
        return outs[0] if single else outs
