"""The Tensor: a NumPy array plus what autograd needs to know about it.

The arithmetic lives in `ops/`; this file holds the tensor's own state: its data,
`requires_grad`, `grad`, `grad_fn`, the version counter that catches in-place
changes to saved values, and torch's rules for reading and changing them.
"""
import warnings
import weakref
from collections import OrderedDict

import numpy as np

from . import dtypes
from . import node as _node
from ._printing import format_tensor
from .devices import CPU as _CPU
from .grad_mode import state as _grad_state
from . import _cpp_warnings as _cpp


_new = object.__new__


class Size(tuple):
    """A shape, printed as torch prints it."""

    def __repr__(self):
        return f"autograd_mini.Size({list(self)})"

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


class Tensor:
    __slots__ = (
        "_data",            # the numpy array
        "_requires_grad",
        "_grad",
        "grad_fn",          # the Node that produced this tensor (None for a leaf)
        "_vc",              # version counter: a one-item list shared with views, made
                            # on first need (most tensors are never changed in place)
        "_retains_grad",
        "_hooks",           # hooks of a leaf, run before its gradient is accumulated
        "_post_accumulate_hooks",  # hooks of a leaf, run after it
        "_accumulator",     # weak reference to this leaf's AccumulateGrad node
        "_is_inference",
        "_wrapped",         # a Python number turned into a tensor: never promotes
        "_view_of",         # only on a view: its base and how it was made (views.py)
        "_views",           # only on a base: its views, held weakly (views.py)
        "_output_edge",     # only on one of several outputs of an autograd.Function
                            # that is not a view: its views.OutputEdge
        "__weakref__",
        "__dict__",         # programs hang their own attributes on tensors, as torch allows
    )                       # (made on the first such store only)

    def __new__(cls, *args, **kwargs):
        # torch.Tensor(data) or torch.Tensor(*sizes): a float32 leaf (torch.tensor is the
        # usual factory); the rules are the legacy constructors' (factories.py).
        from .factories import legacy_new
        return legacy_new(None, args, kwargs)

    @staticmethod
    def _make(data, vc=None):
        """Wrap an array without copying: every operation's result is made here,
        so it is kept to plain attribute stores."""
        t = _new(Tensor)
        t._data = data
        t._requires_grad = False
        t._grad = None
        t.grad_fn = None
        t._vc = vc
        t._retains_grad = False
        t._hooks = None
        t._post_accumulate_hooks = None
        t._accumulator = None
        t._is_inference = _grad_state.inference
        t._wrapped = False
        return t

    # -- what the tensor is ---------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[dim]

    def dim(self):
        return self._data.ndim

    ndim = property(dim)

    def numel(self):
        return self._data.size

    nelement = numel

    @property
    def dtype(self):
        return dtypes.from_numpy(self._data.dtype)

    @property
    def device(self):
        return _CPU

    is_cuda = property(lambda self: False)  # (a property: read-only, as torch's)
    # NumPy defers to our operators: np.float32(2) * t is a Tensor, as in torch.
    __array_priority__ = 1000

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_inference(self):
        return self._is_inference

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def _version(self):
        if self._is_inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        vc = self._vc
        return 0 if vc is None else vc[0]

    def _version_counter(self):
        """The counter itself, made now if needed: views and detach() share it."""
        if self._vc is None:
            self._vc = [0]
        return self._vc

    def _bump_version(self):
        if self._vc is None:
            self._vc = [1]
        else:
            self._vc[0] += 1

    # -- views (views.py) -------------------------------------------------------
    @property
    def _base(self):
        view = _views.info(self)
        return None if view is None else view.base

    def _is_view(self):
        return _views.info(self) is not None

    @property
    def output_nr(self):
        view = _views.info(self)
        if view is None:  # one of several outputs of an autograd.Function, or 0
            edge = getattr(self, "_output_edge", None)
            return edge.nr if edge is not None and edge.node is self.grad_fn else 0
        return view.output_nr

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    # -- memory layout, read from the NumPy array that holds the numbers ----------
    def stride(self, dim=None):
        """Steps in elements, as torch counts them. NumPy gives a new axis of size 1
        (x[None], unsqueeze) the step 0; torch gives it the step of the axis after it
        times that axis's size (1 at the end), so that is what is reported."""
        shape, steps = self._data.shape, [s // self._data.itemsize for s in self._data.strides]
        for d in reversed(range(len(shape))):
            if shape[d] == 1 and steps[d] == 0:
                steps[d] = shape[d + 1] * steps[d + 1] if d + 1 < len(shape) else 1
        if dim is None:
            return tuple(steps)
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise TypeError(f"stride(): argument 'dim' (position 1) must be int, not "
                            f"{type(dim).__name__}")
        from .ops._util import wrap_dim  # (ops import this module)
        return steps[wrap_dim(dim, len(shape))]

    def storage_offset(self):
        """Elements between the start of the memory this tensor shares (the array that
        owns it) and this tensor's first element."""
        owner = self._data
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        return (self.data_ptr() - owner.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def element_size(self):
        return self._data.itemsize

    itemsize = property(element_size)
    nbytes = property(lambda self: self._data.size * self._data.itemsize)
    layout = property(lambda self: strided)
    is_sparse = is_quantized = is_meta = is_nested = is_mkldnn = property(lambda self: False)
    ndimension = dim

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __hash__(self):
        return id(self)

    # -- requires_grad ---------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if value.__class__ is not bool:  # torch takes a bool only (1 or None: an error)
            raise RuntimeError("requires_grad must be a bool")
        if self.grad_fn is not None:
            msg = "you can only change requires_grad flags of leaf variables."
            if not value:
                msg += (" If you want to use a computed variable in a subgraph that doesn't "
                        "require differentiation use var_no_grad = var.detach().")
            raise RuntimeError(msg)
        if value and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients")
        if value:
            self._check_not_inference()
        self._requires_grad = bool(value)
        _views.claim_grad(self, value)

    def _check_not_inference(self):
        if self._is_inference and not _grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")

    @requires_grad.deleter
    def requires_grad(self):
        raise RuntimeError("requires_grad must be a bool")

    def requires_grad_(self, *args, **kwargs):
        # torch's argument parser: a bool, by position or by name, nothing else
        requires_grad = args[0] if args else kwargs.get("requires_grad", True)
        if requires_grad.__class__ is not bool:
            where = " (position 1)" if args else ""
            raise TypeError(f"requires_grad_(): argument 'requires_grad'{where} must be bool, "
                            f"not {type(requires_grad).__name__}")
        return self._requires_grad_(requires_grad)

    def _requires_grad_(self, requires_grad):
        if self.grad_fn is not None and not requires_grad:
            self.requires_grad = False  # raises torch's error
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if requires_grad:
            self._check_not_inference()
        if self.grad_fn is None:
            self._requires_grad = bool(requires_grad)
            _views.claim_grad(self, requires_grad)
        return self

    # -- grad ------------------------------------------------------------------
    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(_cpp.triggered(_NON_LEAF_GRAD_WARNING, _cpp.TENSOR_BODY), UserWarning,
                          stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{dtypes.CPP_TYPE[value.dtype]}' "
                    f"to a tensor with grad_dtype '{dtypes.scalar_type(self.dtype)}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can "
                    "set the tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match.")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                    f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor "
                    "are the same size")
        self._grad = value

    @grad.deleter
    def grad(self):  # `del x.grad`: as x.grad = None
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        _views.edge(self)._retain(self)  # edge: a piece of split() has its own

    def register_hook(self, hook):
        """`hook(grad)` runs when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        state = self.__dict__
        record = state.get("_backward_hooks")
        if record is None:  # torch's: an OrderedDict of the hooks, by handle id
            record = state["_backward_hooks"] = OrderedDict()
        if "_backward_hooks_run" in state:  # a program's own dict, which runs as a whole
            handle = _node.RemovableHandle(None, None)
        elif self.grad_fn is not None:
            handle = _views.edge(self)._register_tensor_hook(hook)
        else:
            self._hooks = _node._add_hook(self._hooks, hook)
            handle = _node.RemovableHandle(self._hooks, hook)
        handle._record = record
        record[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        """`hook(tensor)` runs on a leaf after its gradient has been added into `.grad`."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        self._post_accumulate_hooks = _node._add_hook(self._post_accumulate_hooks, hook)
        return _node.RemovableHandle(self._post_accumulate_hooks, hook)

    def _get_accumulator(self):
        """The AccumulateGrad node of this leaf: one object for as long as the graph holds it."""
        acc = self._accumulator() if self._accumulator is not None else None
        if acc is None:
            view = _views.info(self)
            if view is not None and not view.own_requires_grad:
                # a view made under no_grad, or before its base came to require grad:
                # torch gives it no gradient at all
                return None
            acc = _node.AccumulateGrad(self)
            self._accumulator = weakref.ref(acc)
        return acc

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .engine import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- data, detach, conversions ---------------------------------------------
    @property
    def data(self):
        # Shares storage but neither history nor version counter: changes made
        # through .data are invisible to autograd (which is why it is dangerous).
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data

    @data.deleter
    def data(self):
        raise RuntimeError("Deleting tensor data is not allowed. Delete tensor instead!")

    # Old names test_autograd.py still uses: `_grad_fn` is grad_fn; `_backward_hooks` is
    # None until register_hook records its hooks there, or a program stores its own dict of
    # hooks there, which then run as register_hook's.
    @property
    def _grad_fn(self):
        return self.grad_fn

    @_grad_fn.deleter
    def _grad_fn(self):
        raise RuntimeError("Deletion of _grad_fn not allowed. Detach tensor instead!")

    @property
    def _backward_hooks(self):
        return self.__dict__.get("_backward_hooks")

    @_backward_hooks.setter
    def _backward_hooks(self, hooks):
        state = self.__dict__
        if "_backward_hooks_run" in state:
            self._hooks.remove(state.pop("_backward_hooks_run"))
        state["_backward_hooks"] = hooks
        if hooks is not None and self._requires_grad and self.grad_fn is None:  # (torch: leaves)
            def run(grad):
                for hook in list(hooks.values()):
                    new = hook(grad)
                    grad = grad if new is None else new
                return grad
            self._hooks = _node._add_hook(self._hooks, run)  # (no handle: torch makes none)
            state["_backward_hooks_run"] = run

    @_backward_hooks.deleter
    def _backward_hooks(self):
        raise RuntimeError("Deletion of _backwards_hooks not allowed!")

    def detach(self):
        return Tensor._make(self._data, vc=self._version_counter())

    def detach_(self):
        if _views.info(self) is not None:
            raise RuntimeError(_DETACH_VIEW_ERROR)
        self.grad_fn = None
        self._requires_grad = False
        return self

    def numpy(self, *args, force=False):
        if args:  # force is keyword-only, as torch's
            raise TypeError(f"numpy() takes 0 positional arguments but {len(args)} was given")
        # As torch: allowed under no_grad, where no history can be lost through it.
        if self._requires_grad and not force and _grad_state.enabled:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        if self._requires_grad and _grad_state.enabled:  # torch: no warning under no_grad
            _warn_scalar_once()
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data)

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    # -- printing ----------------------------------------------------------------
    def __repr__(self):
        suffixes = []
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn=<{type(self.grad_fn).__name__}>")  # torch: the class name
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        return format_tensor(self._data, dtype_name=self.dtype.name, suffixes=suffixes)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)


_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information."
)

_DETACH_VIEW_ERROR = (
    "Can't detach views in-place. Use detach() instead. If you are using "
    "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, "
    "gradients are views of DDP buckets, and hence detach_() cannot be called on these "
    "gradients. To fix this error, please refer to the Optimizer.zero_grad() function in "
    "torch/optim/optimizer.py as the solution.")


def _warn_scalar_once(stacklevel=3):
    """float(t) on a tensor that requires grad: torch warns once per process."""
    _cpp.warn_once("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                   "behavior.\nConsider using tensor.detach() first.", _cpp.VARIABLE_METHODS,
                   stacklevel=stacklevel)


def _not_writable(name):
    def refuse(self, *value):
        raise AttributeError(f"attribute '{name}' of 'torch._C.TensorBase' objects is not writable")
    return refuse


class layout:
    """How a tensor's numbers lie in memory: always `strided` here (no sparse tensors)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"autograd_mini.{self.name}"


strided = layout("strided")


def refuse_writes(cls):
    """x.shape = ..., del x.is_leaf: torch's attributes say they are read-only in its own
    words. Run again after more properties are attached (ops.bind: T, mT, ...)."""
    for name, attr in list(vars(cls).items()):
        if isinstance(attr, property) and attr.fset is None and attr.fdel is None:
            setattr(cls, name, property(attr.fget, _not_writable(name), _not_writable(name),
                                        attr.__doc__))


refuse_writes(Tensor)

_node._make = Tensor._make

from . import views as _views  # noqa: E402  (views.py needs _node._make)
