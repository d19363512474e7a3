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
