"""The usual mistakes of the build-it-yourself track, written as a student writes them: each
replaces one solution region of an exercise (``region``, counted within the exercise) and must
earn the hint containing ``hint``."""

from exercise_cases import Case

RECURSIVE_ORDER = """
order, visited = [], set()
def visit(value):
    if id(value) not in visited:
        visited.add(id(value))
        for child in value._prev:
            visit(child)
        order.append(value)
visit(root)
return order
"""

CASES = {
    "lesson14.q1": [
        Case("= instead of += in add", "self.grad = out.grad\nother.grad = out.grad", "use `+=`, not `=`"),
        Case("= instead of += in mul", "self.grad = other.data * out.grad\nother.grad = self.data * out.grad",
             "use `+=`, not `=`", region=1),
        Case("mul derivatives swapped", "self.grad += self.data * out.grad\nother.grad += other.data * out.grad",
             "the *other* input", region=1),
        Case("out.grad forgotten", "self.grad += 1.0\nother.grad += 1.0", "multiply it by `out.grad`"),
        Case("nothing sent", "pass", "leaves the inputs' `.grad` unchanged"),
    ],
    "lesson14.q2": [
        Case("power not lowered", "self.grad += k * self.data ** k * out.grad", "the power drops by one"),
        Case("factor k missing", "self.grad += self.data ** (k - 1) * out.grad", "the factor k in front is missing"),
        Case("sign", "self.grad -= k * self.data ** (k - 1) * out.grad", "wrong sign"),
    ],
    "lesson14.q3": [
        Case("exp from the input", "self.grad += self.data * out.grad", "derivative of exp is exp itself"),
        Case("tanh sign", "self.grad += (1 + out.data ** 2) * out.grad", "with a minus sign", region=1),
        Case("tanh not squared", "self.grad += (1 - out.data) * out.grad", "the tanh is squared", region=1),
        Case("tanh off by a factor", "self.grad += 2 * (1 - out.data ** 2) * out.grad", "off by a factor of 2",
             region=1),
    ],
    "lesson14.q4": [
        Case("recursive sort", RECURSIVE_ORDER, "raised RecursionError"),
        Case("reversed", RECURSIVE_ORDER.replace("order.append(value)", "pass").replace(
            "visited.add(id(value))", "visited.add(id(value))\n        order.append(value)"),
            "your order is reversed"),
        Case("visited twice", "order, stack = [], [root]\nwhile stack:\n    value = stack.pop()\n    order.append(value)\n"
             "    stack.extend(value._prev)\nreturn order[::-1]", "remember which Values you have visited"),
    ],
    "lesson14.q5": [
        Case("order not reversed", "self.grad = 1.0\nfor value in topological_order(self):\n    value._backward()",
             "the topological order reversed"),
        Case("root gradient not set", "for value in reversed(topological_order(self)):\n    value._backward()",
             "`z.grad` should be 1"),
    ],
    "lesson14.q6": [
        Case("values instead of gradients",
             "grads = []\nfor x0 in xs:\n    grads.append(math.exp(2 * x0 ** 2 * math.sin(x0)))", "values of f"),
        Case("one Value reused", "grads = []\nx = Value(0.0)\nfor x0 in xs:\n    x.data = x0\n"
             "    f = (2 * x ** 2 * x.sin()).exp()\n    f.backward()\n    grads.append(x.grad)", "a new `Value` for each point"),
    ],
}

CASES.update({
    "lesson15.q1": [
        Case("grad returned as it is", "return grad", "returned the grad's own shape"),
        Case("keepdims forgotten", "while grad.ndim > len(shape):\n    grad = grad.sum(axis=0)\n"
             "for axis, size in enumerate(shape):\n    if size == 1 and grad.shape[axis] != 1:\n"
             "        grad = grad.sum(axis=axis)\nreturn grad", "`keepdims=True`"),
        Case("mean instead of sum", "while grad.ndim > len(shape):\n    grad = grad.mean(axis=0)\n"
             "for axis, size in enumerate(shape):\n    if size == 1 and grad.shape[axis] != 1:\n"
             "        grad = grad.mean(axis=axis, keepdims=True)\nreturn grad", "sum, not mean"),
    ],
    "lesson15.q2": [
        Case("no unbroadcast", "self.grad += out.grad\nother.grad += out.grad", "`unbroadcast`"),
        Case("gradient of the output's shape", "self.grad = self.grad + out.grad\nother.grad = other.grad + out.grad",
             "the output's shape"),
        Case("= instead of +=", "self.grad = unbroadcast(out.grad, self.shape)\n"
             "other.grad = unbroadcast(out.grad, other.shape)", "use `+=`, not `=`"),
        Case("mul derivatives swapped", "self.grad += unbroadcast(self.data * out.grad, self.shape)\n"
             "other.grad += unbroadcast(other.data * out.grad, other.shape)", "the *other* input", region=1),
    ],
    "lesson15.q3": [
        Case("sum ignores out.grad", "self.grad += np.ones_like(self.data)", "ignores `out.grad`"),
        Case("mean not divided", "self.grad += np.ones_like(self.data) * out.grad", "number of elements", region=1),
    ],
    "lesson15.q4": [
        Case("no transpose", "self.grad += out.grad @ other.data\nother.grad += self.data @ out.grad",
             "wrong shapes"),
        Case("transposed gradient", "self.grad += (out.grad @ other.data.T).T\nother.grad += self.data.T @ out.grad",
             "wrong shapes"),
    ],
    "lesson15.q5": [
        Case("the output as the derivative", "self.grad += out.data * out.grad", "not the output"),
        Case("no mask", "self.grad += out.grad", "mask it"),
    ],
    "lesson15.q6": [
        Case("relu forgotten", "return (X @ W + b).mean()", "does not compute relu(X @ W + b).mean()"),
    ],
})


def solution_region(lesson, exercise, region=0):
    """The code of one solution region, to be spoiled with ``str.replace``."""
    import itertools

    from autograd_course.build_exercises import strip_solutions
    from exercise_notebooks import SOLUTIONS, code_cells, regions

    (path,) = SOLUTIONS.glob(f"{lesson[-2:]}_*_exercises.ipynb")
    cells = code_cells(path)
    index, target = regions(cells)[exercise][region]
    numbers, found = itertools.count(), []

    def keep(indent, solution):
        if next(numbers) == target:
            found.extend(line[len(indent):] for line in solution)
        return solution

    strip_solutions(cells[index], replace=keep)
    return "\n".join(found)


def _spoiled(lesson, exercise, region, old, new):
    code = solution_region(lesson, exercise, region)
    assert old in code, (exercise, old)
    return code.replace(old, new)


RECURSIVE_COUNT = """waiting = {}
def count(node):
    for child, _ in node.next_functions:
        if child is not None:
            waiting[id(child)] = waiting.get(id(child), 0) + 1
            if waiting[id(child)] == 1:
                count(child)
count(root.grad_fn)"""

CASES.update({
    "lesson16.q1": [
        Case("= instead of accumulating", "self.variable.grad = grad", "replaced `.grad`"),
        Case("+= on None", "self.variable.grad += grad", "`.grad` is None"),
        Case("a new AccumulateGrad each time", "if tensor.grad_fn is not None:\n    return (tensor.grad_fn, 0)\n"
             "if tensor.requires_grad:\n    return (AccumulateGrad(tensor), 0)\nreturn (None, 0)",
             "made a new AccumulateGrad at each call", region=1),
        Case("constants get an AccumulateGrad", "if tensor.grad_fn is not None:\n    return (tensor.grad_fn, 0)\n"
             "if tensor._accumulator is None:\n    tensor._accumulator = AccumulateGrad(tensor)\n"
             "return (tensor._accumulator, 0)", "`(None, 0)`", region=1),
        Case("the node without its pair", "if tensor.grad_fn is not None:\n    return tensor.grad_fn\n"
             "if tensor.requires_grad:\n    if tensor._accumulator is None:\n"
             "        tensor._accumulator = AccumulateGrad(tensor)\n    return tensor._accumulator\nreturn None",
             "a pair `(node, 0)`", region=1),
    ],
    "lesson16.q2": [
        Case("always recorded", "node.next_functions = tuple(edge(tensor) for tensor in inputs)\n"
             "out.requires_grad = True\nout.grad_fn = node", "record only when an input requires grad"),
        Case("grad mode ignored", "if any(tensor.requires_grad for tensor in inputs):\n"
             "    node.next_functions = tuple(edge(tensor) for tensor in inputs)\n"
             "    out.requires_grad = True\n    out.grad_fn = node", "inside `with no_grad():`"),
        Case("no_grad switches recording on at exit", "grad_mode.enabled = True", "restore the mode", region=2),
        Case("edges in the wrong order", "if grad_mode.enabled and any(tensor.requires_grad for tensor in inputs):\n"
             "    node.next_functions = tuple(edge(tensor) for tensor in reversed(inputs))\n"
             "    out.requires_grad = True\n    out.grad_fn = node", "torch's"),
    ],
    "lesson16.q3": [
        Case("mul derivatives swapped",
             "return unbroadcast(a.data * grad, self.shapes[0]), unbroadcast(b.data * grad, self.shapes[1])",
             "the *other* input"),
        Case("no unbroadcast", "return b.data * grad, a.data * grad", "use `unbroadcast`"),
        Case("exp's gradient not in a tuple", "return result.data * grad", "should return a tuple", region=1),
    ],
    "lesson16.q4": [
        Case("= where paths meet", "code", "must add up", region=0),
        Case("retain_grad ignored", "code", "`retain_grad()`", region=0),
        Case("recursive count", "code", "raised RecursionError", region=0),
    ],
    "lesson16.q5": [
        Case("no error", "pass", "ran without an error"),
        Case("no node named", "raise RuntimeError(\n    \"one of the variables needed for gradient computation has been "
             "modified by an inplace \"\n    f\"operation: [torch.FloatTensor {list(tensor.shape)}] is at version "
             "{tensor._version}; expected version {saved_version} instead.\")", "say which node made the tensor"),
        Case("a leaf named too", "name = tensor.grad_fn.name().removesuffix('Backward0') if tensor.grad_fn else 'Leaf'\n"
             "sizes = '[' + ', '.join(str(size) for size in tensor.shape) + ']'\nraise RuntimeError(\n"
             "    \"one of the variables needed for gradient computation has been modified by an inplace \"\n"
             "    f\"operation: [torch.FloatTensor {sizes}], which is output 0 of {name}, is at version \"\n"
             "    f\"{tensor._version}; expected version {saved_version} instead. Hint: enable anomaly detection \"\n"
             "    \"to find the operation that failed to compute its gradient, with \"\n"
             "    \"torch.autograd.set_detect_anomaly(True, check_nan=False).\")", "the tensor is a leaf"),
    ],
})


def _lesson16_q4():
    """The run_backward cases, spoiled from the solution (it is long to write out)."""
    meet = _spoiled("lesson16", "q4", 0,
                    "arrived[id(child)] = arrived[id(child)] + child_grad if id(child) in arrived else child_grad",
                    "arrived[id(child)] = child_grad")
    retain = _spoiled("lesson16", "q4", 0, "kept.grad = grad.copy() if kept.grad is None else kept.grad + grad",
                      "pass")
    counting = solution_region("lesson16", "q4", 0)
    start, end = counting.index("waiting, stack, seen"), counting.index("arrived = {")
    recursive = counting[:start] + RECURSIVE_COUNT + "\n" + counting[end:]
    return [Case(case.label, code, case.hint) for case, code in zip(CASES["lesson16.q4"], (meet, retain, recursive))]


CASES["lesson16.q4"] = _lesson16_q4()

CASES.update({
    "lesson17.q1": [
        Case("edges reversed in the pasted engine",
             "if grad_mode.enabled and any(tensor.requires_grad for tensor in inputs):\n"
             "    node.next_functions = tuple(edge(tensor) for tensor in reversed(inputs))\n"
             "    out.requires_grad = True\n    out.grad_fn = node", "is not the one torch records", region=2),
        Case("= where paths meet, in the pasted engine", "code", "`x.grad` is not torch's", region=7),
    ],
    "lesson17.q2": [
        Case("matmul without transposes", "return grad @ b.data, a.data @ grad", "wrong shapes"),
        Case("sub with the wrong sign", "return unbroadcast(grad, self.shapes[0]), unbroadcast(grad, self.shapes[1])",
             "the wrong sign", region=2),
        Case("relu passing everything", "return (grad,)", "`ReluBackward0`", region=1),
    ],
    "lesson17.q3": [
        Case("gradients never reset", "losses = []\nfor _ in range(steps):\n    loss = ((X @ W + b - Y) ** 2).mean()\n"
             "    losses.append(float(loss.data))\n    loss.backward()\n    with no_grad():\n"
             "        W.add_(-lr * W.grad)\n        b.add_(-lr * b.grad)\nreturn losses", "back to None"),
        Case("a step up the gradient", "losses = []\nfor _ in range(steps):\n    loss = ((X @ W + b - Y) ** 2).mean()\n"
             "    losses.append(float(loss.data))\n    loss.backward()\n    with no_grad():\n"
             "        W.add_(lr * W.grad)\n        b.add_(lr * b.grad)\n    W.grad, b.grad = None, None\nreturn losses",
             "the loss grows"),
    ],
    "lesson17.q4": [
        Case("out built with torch", "x = torch.ones(2, 2, requires_grad=True)\nout = ((x + 2) * (x + 2) * 3).mean()",
             "`out` is a torch tensor"),
        Case("another program", "x = Tensor(np.ones((2, 2)), requires_grad=True)\nout = ((x + 2) * 3).mean()",
             "is not the graph of the tutorial's program"),
    ],
})

CASES["lesson17.q1"][1] = Case(CASES["lesson17.q1"][1].label, _spoiled(
    "lesson17", "q1", 7,
    "arrived[id(child)] = arrived[id(child)] + child_grad if id(child) in arrived else child_grad",
    "arrived[id(child)] = child_grad"), CASES["lesson17.q1"][1].hint, region=7)
