"""optim.RMSprop: divide each gradient by the root of its running mean square.

torch's single-tensor implementation, operation for operation (same float32 roundings)."""
from .. import factories
from .optimizer import Optimizer, add_, params_with_grad, step_under_no_grad, torch_only_options


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        torch_only_options(differentiable, capturable)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        # in torch's order: a printed state_dict() lists them so
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps,
                                      centered=centered, weight_decay=weight_decay,
                                      capturable=capturable, foreach=foreach, maximize=maximize,
                                      differentiable=differentiable))

    @step_under_no_grad
    def step(self):
        for group in self.param_groups:
            lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
            for param in params_with_grad(group):
                grad = param._grad if not group["maximize"] else -param._grad
                state = self.state[param]
                if not state:
                    state["step"] = factories.tensor(0.0)
                    state["square_avg"] = factories.zeros_like(param)
                    if momentum > 0:
                        state["momentum_buffer"] = factories.zeros_like(param)
                    if group["centered"]:
                        state["grad_avg"] = factories.zeros_like(param)
                square_avg = state["square_avg"]
                state["step"] += 1
                if group["weight_decay"] != 0:
                    grad = grad.add(param, alpha=group["weight_decay"])

                square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
                if group["centered"]:
                    grad_avg = state["grad_avg"]
                    grad_avg.lerp_(grad, 1 - alpha)
                    avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
                else:
                    avg = square_avg.sqrt()
                avg = avg.add_(eps)

                if momentum > 0:
                    buf = state["momentum_buffer"]
                    buf.mul_(momentum).addcdiv_(grad, avg)
                    add_(param, buf, alpha=-lr)  # param.add_(buf, alpha=-lr)
                else:
                    param.addcdiv_(grad, avg, value=-lr)
