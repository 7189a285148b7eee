"""Grad-mode context managers, usable as decorators too; the mode itself is thread-local in
the C++ core."""
import functools

from pytensor import _C


class _GradMode:
    """Base: sets grad mode to `self._target` on entry, restores it on exit."""
    _target = None

    def __enter__(self):
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._target)

    def __exit__(self, *exc):
        _C._set_grad_enabled(self._prev)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)
        return wrapper

    def _args(self):
        return ()

    def clone(self):
        return self.__class__(*self._args())


class no_grad(_GradMode):
    """Ops run without recording the tape."""
    _target = False


class enable_grad(_GradMode):
    """Recording back on, e.g. inside a no_grad block."""
    _target = True


class set_grad_enabled(_GradMode):
    """Sets grad mode to `mode` at once (as a function) and, as a context, restores it after."""

    def __init__(self, mode):
        self._target = bool(mode)
        self._prev = _C.is_grad_enabled()
        _C._set_grad_enabled(self._target)

    def __enter__(self):
        pass

    def __call__(self, fn):
        # As a decorator it must not change the mode at decoration time, only inside calls.
        _C._set_grad_enabled(self._prev)
        return super().__call__(fn)

    def _args(self):
        return (self._target,)


class inference_mode(_GradMode):
    """no_grad for inference; inference_mode(False) leaves grad mode as it is."""

    def __init__(self, mode=True):
        self._mode = mode
        self._target = False if mode else None

    def __enter__(self):
        self._prev = _C.is_grad_enabled()
        if self._target is not None:
            _C._set_grad_enabled(False)

    def _args(self):
        return (self._mode,)
