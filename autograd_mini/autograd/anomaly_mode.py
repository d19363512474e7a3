"""Anomaly detection: find the operation whose backward went wrong.

While anomaly mode is on, every recorded op keeps the stack of its forward call in
`node.metadata["traceback_"]` (as torch keeps it), and the engine runs each node
through `_AnomalyMode.run`: it checks the gradients the node returns for NaN, and
when the node fails, it warns with the stack of the forward call that made the node
before the error goes on. While it is off, `_hooks.anomaly` is None and nothing of
this runs.
"""
import os
import traceback
import warnings

import numpy as np

from .. import _hooks
from .. import _cpp_warnings as _cpp

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_check_nan = True  # torch keeps this setting while anomaly mode is off, too


def is_anomaly_enabled():
    return _hooks.anomaly is not None


def is_anomaly_check_nan_enabled():
    return _check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    global _check_nan
    _check_nan = bool(check_nan)
    _hooks.anomaly = _AnomalyMode() if enabled else None


class detect_anomaly:
    """Context manager: anomaly mode on inside the block (`check_nan`: raise on NaN)."""

    def __init__(self, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Anomaly mode on or off: as a function call, or as a context manager that restores it."""

    def __init__(self, mode, check_nan=True):
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class _AnomalyMode:
    """What `_hooks.anomaly` holds while anomaly mode is on."""

    def __init__(self):
        self.running = None  # the node whose backward is running (create_graph records)

    def record(self, node):
        """A node was just recorded: keep where its forward was called from."""
        node.metadata["traceback_"] = _forward_stack()
        if self.running is not None:
            node.metadata["parent_"] = self.running  # made by this node's backward

    def run(self, node, call):
        """Run `call()`, the node's backward with its hooks, checking what it returns."""
        previous, self.running = self.running, node
        try:
            input_grads = call()
            if _check_nan:
                for i, g in enumerate(input_grads):
                    if g is not None and np.isnan(g._data).any():
                        raise RuntimeError(
                            f"Function '{node.name()}' returned nan values in its {i}th output.")
            return input_grads
        except Exception:
            _warn_forward_stack(node)
            raise
        finally:
            self.running = previous


def _forward_stack():
    """torch's traceback.format_list of the caller's stack, without this package's frames."""
    frames = [f for f in traceback.extract_stack()[:-1] if not f.filename.startswith(_PACKAGE_DIR)]
    return traceback.format_list(frames)


def _warn_forward_stack(node):
    stack = node.metadata.get("traceback_") if node._metadata is not None else None
    if stack is None:
        warnings.warn(f"Error detected in {node.name()}. No forward pass information available. "
                      "Enable detect anomaly during forward pass for more information.",
                      stacklevel=2)
        return
    warnings.warn(_cpp.triggered(f"Error detected in {node.name()}. Traceback of forward call "
                                 "that caused the error:\n" + "".join(stack), _cpp.ANOMALY),
                  stacklevel=2)
    parent = node.metadata.get("parent_")
    while parent is not None:
        stack = parent.metadata.get("traceback_", [])
        warnings.warn(f"\n\nPrevious calculation was induced by {parent.name()}. Traceback of "
                      "forward call that induced the previous calculation:\n" + "".join(stack),
                      stacklevel=2)
        parent = parent.metadata.get("parent_")
