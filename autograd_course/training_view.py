"""Lesson 11's figure: a model trained on both engines, its loss curves and its fit side by side.

The lesson's cell then says what it draws (two engines' losses, two engines' fits) instead of
twenty lines of matplotlib. Tensors of either engine or arrays are accepted.
"""
import matplotlib.pyplot as plt
import numpy as np


def _array(values):
    "A NumPy array from a tensor (either engine), a list of numbers or an array."
    detach = getattr(values, "detach", None)
    return np.asarray(detach().numpy() if detach else values, dtype=float).ravel()


def losses_and_fits(x, y, grid, losses_torch, fit_torch, losses_mini, fit_mini, truth=None):
    """Left: each engine's loss at every step (log scale). Right: the data (x, y), each engine's
    model on `grid`, and, when given, `truth`: the function the data came from, on `grid`.

    torch is drawn wide and pale, autograd_mini thin on top of it: where they agree, one line
    shows inside the other."""
    grid = _array(grid)
    fig, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(11, 3.8))
    ax_loss.plot(_array(losses_torch), lw=4, alpha=0.4, color="tab:orange", label="torch")
    ax_loss.plot(_array(losses_mini), lw=1.5, color="tab:blue", label="autograd_mini")
    ax_loss.set(yscale="log", xlabel="step", ylabel="mean squared error", title="Loss during training")
    ax_loss.legend()
    ax_fit.scatter(_array(x), _array(y), s=12, color="grey", label="data")
    ax_fit.plot(grid, _array(fit_torch), lw=4, alpha=0.4, color="tab:orange", label="torch model")
    ax_fit.plot(grid, _array(fit_mini), lw=1.5, color="tab:blue", label="autograd_mini model")
    if truth is not None:
        ax_fit.plot(grid, _array(truth), "k--", lw=1, label="the function sampled")
    ax_fit.set(xlabel="x", ylabel="y", title="The trained models")
    ax_fit.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    plt.show()
