"""Figures the lessons draw: one small function per figure, named for what it draws.

Lessons call these so that a cell shows the idea (what is plotted), not forty lines of
matplotlib. Each function takes plain arrays or tensors and shows the figure (plt.show(): the
figure shows once, whatever the cell's last line is).
"""
import matplotlib.pyplot as plt
import numpy as np


def _array(values):
    "A NumPy array from a tensor (either engine) or anything array-like."
    detach = getattr(values, "detach", None)
    return np.asarray(detach().numpy() if detach else values, dtype=float)


def function_and_derivative(f, df, points, grad, lo, hi, f_label="f(x)", df_label="f'(x)", title=None):
    """Curves of f and f' on [lo, hi], with the gradient autograd gave at `points` as circles on f'."""
    fine = np.linspace(lo, hi, 200)
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(fine, f(fine), color="tab:blue", label=f_label)
    ax.plot(fine, df(fine), color="tab:orange", label=df_label)
    ax.scatter(_array(points), _array(grad), s=60, facecolors="none", edgecolors="black", label="x.grad")
    ax.set(xlabel="x", title=title)
    ax.legend()
    plt.show()


def jacobian_and_column_sums(J, grad):
    """Left: the Jacobian as a heat map with its values. Right: its column sums as bars, and `grad`
    (x.grad after backward(ones)) as dots on them."""
    J, grad = _array(J), _array(grad)
    rows, cols = J.shape
    fig, (ax_j, ax_sum) = plt.subplots(1, 2, figsize=(10, 3))
    limit = np.abs(J).max()
    ax_j.imshow(J, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(J):
        ax_j.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=9,
                  color="white" if abs(value) > 0.6 * limit else "black")
    ax_j.set(title=rf"$J = \partial y_i / \partial x_j$ ({rows} outputs × {cols} inputs)",
             xlabel="input j", ylabel="output i", xticks=range(cols), yticks=range(rows))
    ax_sum.bar(range(cols), J.sum(0), color="tab:purple", label="column sums of J")
    ax_sum.scatter(range(cols), grad, color="black", zorder=3, label="x.grad after backward(ones)")
    ax_sum.axhline(0, color="grey", lw=0.8)
    ax_sum.set(title=r"$J^\top \mathbf{1}$: one backward pass", xlabel="input j", xticks=range(cols))
    ax_sum.legend(fontsize=8)
    fig.tight_layout()
    plt.show()


def gradient_field_and_hessian(f, grid_x, grid_y, dx, dy, p0, H, minimum=None):
    """Left: contours of f(x, y), arrows of one length along −∇f at the grid points, and the Hessian's
    eigenvectors at p0 labelled with their curvature, `minimum` as a red star. Right: the Hessian as a heat map."""
    dx, dy, p0, H = _array(dx), _array(dy), _array(p0), _array(H)
    curvatures, directions = np.linalg.eigh(H)
    fine_x, fine_y = np.meshgrid(np.linspace(grid_x.min(), grid_x.max(), 200),
                                 np.linspace(grid_y.min(), grid_y.max(), 200))
    fig, (ax, ax_h) = plt.subplots(1, 2, figsize=(12, 4.6), gridspec_kw={"width_ratios": [2.2, 1]})
    ax.contour(fine_x, fine_y, f(fine_x, fine_y), levels=np.geomspace(0.05, 40, 14), cmap="viridis", linewidths=1)
    length = np.hypot(dx, dy) + 1e-12  # arrows of one length: they show the direction of steepest descent
    ax.quiver(grid_x, grid_y, -dx / length, -dy / length, color="steelblue", scale=30, width=0.003)
    for curvature, direction in zip(curvatures, directions.T):
        end = p0 + 0.5 * direction
        ax.annotate("", xy=end, xytext=p0, arrowprops={"arrowstyle": "->", "color": "black", "lw": 2})
        ax.text(*(end + 0.08 * direction), f"curvature {curvature:.1f}", fontsize=9)
    ax.plot(*p0, "ko")
    if minimum is not None:
        ax.plot(*minimum, "r*", markersize=12)
    ax.set(xlabel="x", ylabel="y", title="Contours of f, arrows along −∇f, curvature directions at p0")
    limit = np.abs(H).max()
    ax_h.imshow(H, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (i, j), value in np.ndenumerate(H):
        ax_h.text(j, i, f"{value:.1f}", ha="center", va="center", fontsize=12,
                  color="white" if abs(value) > 0.6 * limit else "black")
    ax_h.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["x", "y"], yticklabels=["x", "y"], title="hessian(f, p0)")
    fig.tight_layout()
    plt.show()
