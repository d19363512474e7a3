# Fitting a line with plain gradient descent, as beginners write it.
import torch

xs = torch.linspace(-1, 1, 20)
ys = 3 * xs + 0.5
w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.1
for step in range(50):
    loss = ((w * xs + b - ys) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()
    if step % 10 == 0:
        print(step, round(loss.item(), 4))
print(round(w.item(), 3), round(b.item(), 3))
