# In the style of PyTorch's test/test_autograd.py: indexing a leaf made by a view,
# reductions and sorting, masks, type conversions, factories with requires_grad.
import torch

x = torch.arange(25.).reshape(5, 5).requires_grad_()
idx = torch.LongTensor([1, 1, 3, 2, 1, 2])
x[idx].sum().backward()
print(x.grad)
x.grad = None
x[x > 5].sum().backward()
print(x.grad.sum(), x[..., 1].grad_fn.name(), x[None].shape, x[1, None, 2:].grad_fn.name())

y = torch.arange(12.).reshape(3, 4).requires_grad_()
for name, out in [("prod", y.prod(1)), ("cumsum", y.cumsum(1)), ("sort", y.sort(1, descending=True)[0]),
                  ("topk", y.topk(2).values), ("masked_fill", y.masked_fill(y > 5, 0.)),
                  ("gather", y.gather(1, torch.tensor([[0], [1], [2]]))), ("std", y.std()),
                  ("logsumexp", y.logsumexp(1)), ("amax", y.amax(1)), ("flip", y.flip(0)),
                  ("tril", y.tril()), ("repeat", y.repeat(2, 1)), ("index_select", y.index_select(0, torch.tensor([0, 2])))]:
    y.grad = None
    out.sum().backward()
    print(name, out.grad_fn.name(), y.grad.round(decimals=3).tolist())

a = torch.ones(2, 3, requires_grad=True)
for conversion in (a.float(), a.double(), a.int(), a.long(), a.bool()):
    print(conversion.dtype, conversion.requires_grad)
print(torch.logspace(0, 1, 3, requires_grad=True).requires_grad, torch.div(a, 2, rounding_mode="floor").grad_fn.name())

b = torch.arange(3.).requires_grad_()
c = b + 1
c.sum().backward()
c.sum().backward()  # adding saves nothing: a second backward is allowed
print(b.grad)
