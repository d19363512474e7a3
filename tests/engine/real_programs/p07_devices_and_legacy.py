# The opening lines of current tutorials, plus legacy calls older programs still make.
import torch

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")
print(torch.cuda.is_available())
x = torch.ones(2, 3, device=device, requires_grad=True)
w = torch.randn(3, 1, device=device).to(device)
print(x.device, x.to(device) is x, w.shape)
v = torch.autograd.Variable(torch.FloatTensor([1, 2, 3]), requires_grad=True)
print(v, v.type(), isinstance(v, torch.FloatTensor))
(v * v).sum().backward()
print(v.grad)
idx = torch.LongTensor([0, 2])
print(v[idx], torch.Tensor(2, 3).shape)
g = torch.autograd.grad((v ** 3).sum(), v)
print(g)
print(v.detach().numpy(), v.tolist())
with torch.no_grad():
    print(v.numpy())
