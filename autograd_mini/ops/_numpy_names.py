"""torch's argument parser also takes NumPy's names: axis for dim, keepdims for keepdim
(d2l writes X.sum(axis=0)); this gives a function those two aliases."""
import functools
import inspect


def numpy_names(fn):
    params = inspect.signature(fn).parameters
    has_dim, has_keepdim = "dim" in params, "keepdim" in params
    if not (has_dim or has_keepdim):
        return fn

    @functools.wraps(fn)
    def call(*args, **kwargs):
        if kwargs:
            if has_dim and "axis" in kwargs:
                kwargs["dim"] = kwargs.pop("axis")
            if has_keepdim and "keepdims" in kwargs:
                kwargs["keepdim"] = kwargs.pop("keepdims")
        return fn(*args, **kwargs)
    return call
