# From PyTorch's test/test_autograd.py: test_indexing, test_indexing_duplicates,
# test_indexing_duplicates_matrix, test_setitem, test_setitem_mask, test_index_add/select
# gradients, on torch.randn inputs (torch.manual_seed(0)).
import torch

from _program_tools import attempt

torch.manual_seed(0)


# test_indexing
x = torch.arange(1.0, 17).view(4, 4)
y = x.clone().requires_grad_(True)


def check_index(x, y, idx):
    if y.grad is not None:
        with torch.no_grad():
            y.grad.zero_()
    indexed_tensor = x[idx]
    indexed_var = y[idx]
    same = torch.equal(indexed_tensor, indexed_var.data)
    indexed_var.sum().backward()
    expected_grad = torch.empty(x.size()).fill_(0)
    expected_grad[idx] = 1
    print("index", idx if not isinstance(idx, torch.Tensor) else idx.tolist(), same,
          torch.equal(y.grad, expected_grad), indexed_var.grad_fn.name(), tuple(indexed_var.shape))


check_index(x, y, 1)
check_index(x, y, (1, 1))
check_index(x, y, slice(1, None))
check_index(x, y, slice(None, 2))
check_index(x, y, (slice(None, 2), 2))
check_index(x, y, (slice(1, 2), 2))
check_index(x, y, (1, slice(2, None)))
check_index(x, y, (slice(None, None), slice(2, None)))
check_index(x, y, torch.LongTensor([0, 2]))
check_index(x, y, torch.rand(4, 4).bernoulli().bool())
check_index(x, y, (Ellipsis, slice(2, None)))
check_index(x, y, ([0], [0]))
check_index(x, y, ([1, 2, 3], [0]))
check_index(x, y, ([1, 2], [2, 1]))
check_index(x, y, ([[1, 2], [3, 0]], [[0, 1], [2, 3]]))
check_index(x, y, ([slice(None), [2, 3]]))
check_index(x, y, ([[2, 3], slice(None)]))
check_index(x, y, ([0], [0], Ellipsis))
check_index(x, y, (Ellipsis, [0], [0]))
check_index(x, y, (torch.LongTensor([0, 2]), slice(None)))
check_index(x, y, (slice(None), torch.LongTensor([0, 2])))
check_index(x, y, (torch.LongTensor([0, 2]), torch.LongTensor([1, 0])))
check_index(x, y, (None, 1))
check_index(x, y, (1, None, slice(1, 3)))

# test_indexing_duplicates
x = torch.arange(1.0, 17).view(4, 4)
y = x.clone().requires_grad_(True)
idx = torch.LongTensor([1, 1, 3, 2, 1, 2])
y[idx].sum().backward()
print("duplicates", y.grad)
y.grad = None
idx = torch.LongTensor([[1, 1], [2, 0]])
y[idx].sum().backward()
print("duplicates 2d", y.grad)
y.grad = None
idx = torch.LongTensor([[1, 1], [3, 2]])
y[idx].sum().backward()
print("duplicates matrix", y.grad)
y.grad = None
idx = torch.LongTensor([[0, 1, 1], [2, 2, 0]])
y[idx].sum().backward()
print("duplicates rows", y.grad)

# test_indexing_duplicates_matrix on random values, with a non-ones gradient
x = torch.randn(4, 3, requires_grad=True)
idx = torch.tensor([[0, 0], [3, 1]])
out = x[idx]
g = torch.randn(out.shape)
out.backward(g)
print("random duplicates", x.grad)

# test_setitem
x = torch.randn(5, 5, requires_grad=True)
y = x + 2
y[2] = torch.randn(5)
y[0, 1:] = 0
y.sum().backward()
print("setitem", y.grad_fn.name(), x.grad)
x = torch.randn(4, 4, requires_grad=True)
v = torch.randn(2, requires_grad=True)
z = x * 1
z[torch.tensor([0, 3]), torch.tensor([1, 2])] = v
z.sum().backward()
print("setitem advanced", z.grad_fn.name(), x.grad, v.grad)

# test_setitem_mask
x = torch.randn(4, 4, requires_grad=True)
mask = x > 0
z = x.clone()
z[mask] = 0.5
(z * 3).sum().backward()
print("setitem mask", z.grad_fn.name(), x.grad)
x.grad = None
z = x.clone()
z.masked_fill_(~mask, 2.0)
(z ** 2).sum().backward()
print("masked_fill_", z.grad_fn.name(), x.grad)

# gather / index_select / masked_select, gradients on random inputs
x = torch.randn(3, 4, requires_grad=True)
index = torch.tensor([[0, 1, 1, 3], [2, 2, 0, 0]])
g = x.gather(1, index[:, :2])
s = x.index_select(1, torch.tensor([3, 0, 3]))
m = x.masked_select(x > 0)
(g.sum() + (s * 2).sum() + m.sum()).backward()
print("gather/select", g.grad_fn.name(), s.grad_fn.name(), m.grad_fn.name(), x.grad)
attempt("index out of range", lambda: x[torch.tensor([5])])
attempt("index bad type", lambda: x[torch.tensor([0.5])])
attempt("too many indices", lambda: x[0, 0, 0])
