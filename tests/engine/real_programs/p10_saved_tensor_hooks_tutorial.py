# In the style of the tutorial "Hooks for autograd saved tensors".
import torch

a = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
b = torch.ones(3, requires_grad=True)
y = a * b
print(y.grad_fn._saved_self, y.grad_fn._saved_other)
y = torch.exp(a)
print(y.grad_fn._saved_result.equal(y), y.grad_fn._saved_result is y)
y = a.pow(2)
print(y.grad_fn._saved_self is a)


def pack_hook(x):
    print("Packing", x)
    return x


def unpack_hook(x):
    print("Unpacking", x)
    return x


a = torch.ones(5, requires_grad=True)
b = torch.ones(5, requires_grad=True) * 2
with torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
    y = a * b
y.sum().backward()
print(a.grad)

store = {}


def pack_to_store(x):
    if x.numel() < 1000:
        return x
    store[len(store)] = x.detach().clone()
    return len(store) - 1


def unpack_from_store(key_or_tensor):
    return key_or_tensor if isinstance(key_or_tensor, torch.Tensor) else store[key_or_tensor]


x = torch.ones(2000, requires_grad=True)
with torch.autograd.graph.saved_tensors_hooks(pack_to_store, unpack_from_store):
    out = (x * x).sum() + x.sin().sum()
out.backward()
print(len(store), x.grad[:3])
