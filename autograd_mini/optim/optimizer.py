"""optim.Optimizer: what every optimizer shares.

An optimizer holds `param_groups` (lists of parameters, each with its own
hyper-parameters: lr, momentum, ...) and `state` (per parameter: momentum buffers,
running averages, the step count). `step()` is each optimizer's own; it changes the
parameters in place under no_grad, so the update itself is not recorded."""
import copy
import functools
import itertools
import warnings
from collections import defaultdict

import numpy as np

from ..grad_mode import no_grad
from ..tensor import Tensor


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def torch_only_options(differentiable=False, capturable=False):
    """torch's implementation switches (foreach, fused: the same arithmetic, batched or in one
    kernel) are accepted and kept in the param groups, as torch keeps them. These two change
    what a step is, and this engine has no such step."""
    if differentiable:
        raise NotImplementedError("autograd_mini's optimizers do not support differentiable=True "
                                  "(a step that autograd records)")
    if capturable:
        raise NotImplementedError("autograd_mini's optimizers do not support capturable=True "
                                  "(CUDA graph capture)")


class Optimizer:
    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got torch.{params.dtype.legacy_name}")
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        params = param_group["params"]
        param_group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + type(p).__module__ + "." + type(p).__name__)
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in param_group["params"]}) != len(param_group["params"]):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p._grad is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        p._grad = p._grad.detach()
                        p._grad.zero_()

    def step(self, closure=None):
        raise NotImplementedError

    def state_dict(self):
        """State and groups with each parameter replaced by its index, as torch saves them."""
        index, groups = {}, []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            groups.append({**{k: v for k, v in group.items() if k != "params"},
                           "params": [index[id(p)] for p in group["params"]]})
        state = {index[id(p)]: dict(s) for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take the state and hyper-parameters of a state_dict() (this optimizer's or a saved
        one), its parameter indices matched with this optimizer's parameters in order."""
        groups, saved_groups = self.param_groups, copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group "
                             "that doesn't match the size of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for index, values in state_dict["state"].items():
            if index in id_map:
                param = id_map[index]
                state[param] = {key: _cast_to(param, key, value) for key, value in values.items()}
            else:
                state[index] = values
        self.state = state
        self.param_groups = [{**saved, "params": group["params"]}
                             for group, saved in zip(groups, saved_groups)]

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _cast_to(param, key, value):
    """A loaded state tensor in a floating parameter's dtype, as torch casts it; the step
    count keeps its own (float32) dtype."""
    if isinstance(value, Tensor) and key != "step" and param.is_floating_point():
        return value.to(dtype=param.dtype)
    return value


def step_under_no_grad(step):
    """Run `step` with grad mode off; a closure (re-evaluating the loss) runs with it on."""
    @functools.wraps(step)
    def wrapper(self, closure=None):
        loss = None
        if closure is not None:
            from ..grad_mode import enable_grad
            with enable_grad():
                loss = closure()
        with no_grad():
            step(self)
        return loss
    return wrapper


def add_(param, tensor, alpha):
    """param.add_(tensor, alpha=alpha) with the sum written straight into param's array.
    It is the update that runs over every weight at every step; the engine's in-place
    op would first make the sum as a new array and then copy it in."""
    np.add(param._data, tensor._data * alpha, out=param._data)
    param._bump_version()
    return param


def params_with_grad(group):
    """The group's parameters that have a gradient (the others are left alone)."""
    return [p for p in group["params"] if p._grad is not None]
