"""Step through an autograd_mini backward pass one node at a time.

`BackwardStepper` is the logic: it lets the engine run the backward pass once
and writes down every step the engine takes, in the engine's own order, with
the engine's own gradients: the gradient arriving at each node (already summed
over every path that meets there) and the gradients the node sends to its
inputs. Nothing is recomputed here. The engine's `autograd.grad` runs with
`retain_graph=True`, so no `.grad` changes and the graph can still be
backpropagated afterwards; at the last step, the gradients collected for the
leaves are what `.backward()` puts in `.grad`.

`backward_stepper(...)` wraps the logic in ipywidgets (`StepperWidget`): Prev /
Next buttons, a slider, the graph with the current node highlighted, and the
numbers.

Another engine (the one a student writes in the build-it-yourself track) works
too when it follows the graph protocol of `autograd_course.graph.walk` and its
nodes have ``backward(grad)``, returning one gradient (an array, or None) per
entry of ``next_functions``. The stepper then runs those ``backward`` methods
itself, in an order found by counting the edges into each node, as
autograd_mini's engine does; an AccumulateGrad node (one with ``variable``) is
written down, not run, so no ``.grad`` changes.
"""

from dataclasses import dataclass
from html import escape

import ipywidgets as widgets
import numpy as np

from ..graph.describe import TensorNames, leaf_of
from ..graph.draw import Options, build_graph
from ..graph.walk import walk_graph

# How nodes look in the stepper's picture, on top of draw_graph's colours.
CURRENT = {"fillcolor": "#ffd966", "color": "#bf9000", "penwidth": "3"}
DONE = {"color": "#38761d", "penwidth": "2.5"}
WAITING = {"color": "#bf9000", "penwidth": "2", "style": "rounded,filled,dashed"}


@dataclass(frozen=True)
class Step:
    """One node run by the engine.

    ``grad``: the gradient of the node's output, summed over every edge into it.
    ``sends``: for a backward node, ``(input id, gradient or None)`` per entry of
    its ``next_functions``; empty for an AccumulateGrad, which instead adds
    ``grad`` into ``leaf.grad``.
    """

    node_id: int
    name: str
    grad: np.ndarray
    sends: tuple = ()
    leaf: object = None


class _Recorder:
    """The engine's observer (autograd_mini._hooks.observer), which the engine
    calls to run each node's backward: it runs it and writes the step down."""

    def __init__(self, ids, inputs):
        self.ids, self.inputs, self.steps = ids, inputs, []

    def record_forward(self, cls, inputs, attrs, apply):
        return apply(cls, inputs, attrs)  # operations inside a backward run as usual

    def record_backward(self, node, grad):
        input_grads = node.backward(grad)
        node_id = self.ids[id(node)]
        padded = tuple(input_grads) + (None,) * (len(self.inputs[node_id]) - len(input_grads))
        sends = tuple((target, None if g is None else _array(g))
                      for (_, target, _), g in zip(self.inputs[node_id], padded))
        self.steps.append(Step(node_id, node.name(), _array(grad), sends))
        return input_grads

    def leaf_hook(self, node):
        """A hook for the leaf of AccumulateGrad `node`: the engine calls it with
        the leaf's gradient just before adding it into `.grad`."""
        def hook(grad):
            self.steps.append(Step(self.ids[id(node)], "AccumulateGrad", _array(grad), leaf=leaf_of(node)))
        return hook


def _array(tensor):
    """A gradient as a NumPy array: a tensor of torch's kind, or already an array."""
    return np.array(tensor.detach().numpy()) if hasattr(tensor, "detach") else np.array(tensor)


def record_backward(output, gradient=None):
    """``(walk, steps)``: the graph behind ``output`` (numbered as draw_graph numbers
    it) and the engine's backward pass through it, one `Step` per node run."""
    import autograd_mini
    from autograd_mini import _hooks

    if not isinstance(output, autograd_mini.Tensor) and hasattr(getattr(output, "grad_fn", None), "backward"):
        return _run_protocol(output, gradient)
    if not isinstance(output, autograd_mini.Tensor) or output.grad_fn is None:
        raise TypeError("the stepper needs an autograd_mini tensor with a grad_fn, "
                        "the result of operations on a tensor with requires_grad=True")
    walk = walk_graph((output,))
    ids = {id(node): node_id for node_id, node in enumerate(walk.nodes) if node is not None}
    accumulators = [node for node in walk.nodes if leaf_of(node) is not None]
    recorder = _Recorder(ids, walk.inputs_of())
    handles = [leaf_of(node).register_hook(recorder.leaf_hook(node)) for node in accumulators]
    previous, _hooks.observer = _hooks.observer, recorder
    try:
        autograd_mini.autograd.grad(output, [leaf_of(node) for node in accumulators], gradient,
                                    retain_graph=True, allow_unused=True)
    finally:
        _hooks.observer = previous
        for handle in handles:
            handle.remove()
    return walk, recorder.steps


def _run_protocol(output, gradient=None):
    """`record_backward` for an engine other than autograd_mini: each node's own
    ``backward(grad)`` runs once all of its gradient has arrived (counted edges)."""
    walk = walk_graph((output,))
    inputs = walk.inputs_of()
    waiting = [0] * len(walk.nodes)
    for _, target, _ in walk.edges:
        waiting[target] += 1
    start = walk.outputs[0]
    held = {start: gradient if gradient is not None else np.ones_like(_array(output))}
    ready, steps = [start], []
    while ready:
        node_id = ready.pop()
        node, grad = walk.nodes[node_id], held.pop(node_id)
        if leaf_of(node) is not None:
            steps.append(Step(node_id, "AccumulateGrad", _array(grad), leaf=leaf_of(node)))
            continue
        grads = tuple(node.backward(grad))
        grads += (None,) * (len(inputs[node_id]) - len(grads))
        steps.append(Step(node_id, node.name(), _array(grad), tuple(
            (target, None if g is None else _array(g)) for (_, target, _), g in zip(inputs[node_id], grads))))
        for (_, target, _), g in zip(inputs[node_id], grads):
            if walk.nodes[target] is None or g is None:
                continue
            held[target] = held[target] + g if target in held else g
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    return walk, steps


class BackwardStepper:
    """The backward pass of ``output`` as a list of steps, with a position in it.

    ``position`` counts the steps already run: 0 is before backward starts (only
    the output holds its gradient), ``len(stepper)`` is the end.
    """

    def __init__(self, output, gradient=None, names=None):
        self.walk, self.steps = record_backward(output, gradient)
        self.tensors = TensorNames(names, (output,))
        self.seed = _array(gradient) if gradient is not None else np.ones_like(_array(output))
        self.position = 0

    def __len__(self):
        return len(self.steps)

    def go(self, position):
        self.position = max(0, min(len(self.steps), position))

    def next(self):
        self.go(self.position + 1)

    def prev(self):
        self.go(self.position - 1)

    @property
    def current(self):
        """The step that ran last, None before the first."""
        return self.steps[self.position - 1] if self.position else None

    def label(self, node_id):
        """``#3 MulBackward0``; a leaf's AccumulateGrad is named by its leaf when known."""
        node = self.walk.nodes[node_id]
        if node is None:
            return "None"
        leaf = leaf_of(node)
        leaf_name = self.tensors.name_of(leaf) if leaf is not None else None
        return f"#{node_id} {self.walk.names[node_id]}" + (f" ({leaf_name})" if leaf_name else "")

    def arrivals(self, node_id, upto):
        """``(sender id, gradient)`` for each gradient delivered to ``node_id`` by
        the first ``upto`` steps."""
        return [(step.node_id, grad) for step in self.steps[:upto]
                for target, grad in step.sends if target == node_id and grad is not None]

    def leaf_grads(self):
        """``{leaf tensor's id: (leaf, gradient accumulated so far)}``."""
        grads = {}
        for step in self.steps[:self.position]:
            if step.leaf is not None:
                leaf, total = grads.get(id(step.leaf), (step.leaf, 0))
                grads[id(step.leaf)] = (leaf, total + step.grad)
        return grads

    def describe(self):
        """What the current step did, as lines of text."""
        step = self.current
        if step is None:
            return [f"Before backward. The seed, d(output)/d(output): {_format(self.seed)}",
                    f"Press Next: the engine starts at {self.label(self.walk.outputs[0])}."]
        lines = [f"Step {self.position} of {len(self)}: {self.label(step.node_id)}"]
        arrived = self.arrivals(step.node_id, upto=self.position - 1)
        if not arrived:
            lines.append(f"  gradient of its output (the seed): {_format(step.grad)}")
        else:
            for sender, grad in arrived:
                lines.append(f"  received from {self.label(sender)}: {_format(grad)}")
            if len(arrived) > 1:
                lines.append(f"  paths meet here, so the gradients add up: {_format(step.grad)}")
        if step.leaf is not None:
            name = self.tensors.name_of(step.leaf) or "the leaf"
            _, total = self.leaf_grads()[id(step.leaf)]
            lines.append(f"  AccumulateGrad adds it into {name}.grad, which holds so far: {_format(total)}")
        for target, grad in step.sends:
            text = "nothing (no gradient needed)" if grad is None else _format(grad)
            lines.append(f"  sends to {self.label(target)}: {text}")
        return lines

    def held_lines(self):
        """The gradient each node holds so far, as lines of text."""
        return ["Gradient held by each node so far:"] + [
            f"  {self.label(node_id)}: {_format(grad)}" for node_id, grad in self.held().items()]

    def held(self):
        """``{node id: gradient}`` for every node holding gradient after the steps run
        so far: a ran node its full gradient, a waiting node the part that arrived."""
        held = {self.walk.outputs[0]: self.seed}
        for step in self.steps[:self.position]:
            held[step.node_id] = step.grad
            for target, grad in step.sends:
                if grad is not None:
                    held[target] = held[target] + grad if target in held else grad
        return held

    def graph(self):
        """The graph, numbered as in the text: ran nodes with a green border, the
        current node yellow, nodes holding part of their gradient with a dashed border."""
        graph = build_graph(self.walk, self.tensors, Options(), numbered=True)
        ran = {step.node_id for step in self.steps[:self.position]}
        current = self.current.node_id if self.current is not None else None
        for node_id in self.held():
            style = CURRENT if node_id == current else DONE if node_id in ran else WAITING
            graph.node(f"n{node_id}", **style)
        return graph


def _format(array):
    """The values; an array of two or more dimensions starts on a line of its own, indented."""
    text = np.array2string(np.asarray(array), precision=4, suppress_small=True, separator=", ")
    return text if "\n" not in text else "\n      " + text.replace("\n", "\n      ")


class StepperWidget(widgets.VBox):
    """Prev / Next buttons and a slider over a `BackwardStepper`, the graph and the numbers."""

    def __init__(self, stepper):
        self.stepper = stepper
        button = widgets.Layout(width="80px")
        self.previous = widgets.Button(description="Prev", icon="arrow-left", layout=button)
        self.following = widgets.Button(description="Next", icon="arrow-right", layout=button)
        self.slider = widgets.IntSlider(value=0, min=0, max=len(stepper), description="step",
                                        continuous_update=False)
        self.picture, self.text = widgets.HTML(), widgets.HTML()
        self.previous.on_click(lambda _: self._move(-1))
        self.following.on_click(lambda _: self._move(+1))
        self.slider.observe(self._show, names="value")
        legend = widgets.HTML(
            f"<span style='background:{CURRENT['fillcolor']};border:2px solid {CURRENT['color']};"
            "padding:0 4px'>running now</span> "
            f"<span style='border:2px solid {DONE['color']};padding:0 4px'>ran</span> "
            f"<span style='border:2px dashed {WAITING['color']};padding:0 4px'>holds part of its gradient</span>")
        super().__init__([widgets.HBox([self.previous, self.slider, self.following, legend]),
                          widgets.HBox([self.picture, self.text])])
        self._show()

    def _move(self, by):
        self.slider.value = max(0, min(len(self.stepper), self.slider.value + by))

    def _show(self, _=None):
        self.stepper.go(self.slider.value)
        self.picture.value = self.stepper.graph().pipe(format="svg", encoding="utf-8")
        text = "\n".join(self.stepper.describe() + [""] + self.stepper.held_lines())
        self.text.value = f"<pre style='line-height:1.35'>{escape(text)}</pre>"
        self.previous.disabled = self.stepper.position == 0
        self.following.disabled = self.stepper.position == len(self.stepper)

    def __repr__(self):
        # What a notebook stores as the widget's text (GitHub shows it, nbval compares it):
        # short and the same on every run, unlike the SVG inside.
        return f"<backward stepper: {len(self.stepper)} steps, at step {self.stepper.position}>"


def backward_stepper(output, gradient=None, names=None):
    """A widget stepping through ``output.backward(gradient)`` on autograd_mini.

    ``names``: a dict such as ``locals()`` to label the leaves. The widget's
    ``stepper`` attribute is the `BackwardStepper` it shows.
    """
    return StepperWidget(BackwardStepper(output, gradient, names))
