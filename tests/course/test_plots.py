"""autograd_course.plots draws what its name says, from torch tensors or arrays."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from autograd_course import plots  # noqa: E402


def test_function_and_derivative_draws_both_curves_and_the_gradient_points():
    x = torch.tensor([1.0, 1.5], requires_grad=True)
    (x ** 2).sum().backward()
    plots.function_and_derivative(lambda t: t ** 2, lambda t: 2 * t, x, x.grad, 0.5, 2.0)
    fig = plt.gcf()  # plt.show() does nothing under Agg: the figure stays current
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 2 * ax.lines[1].get_xdata())
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[1.0, 2.0], [1.5, 3.0]])
    plt.close(fig)


def test_jacobian_and_column_sums_shows_every_entry_and_the_column_sums():
    J = torch.tensor([[1.0, -2.0, 0.5], [0.25, 1.0, -1.0]])
    plots.jacobian_and_column_sums(J, J.sum(0))
    fig = plt.gcf()
    heat, bars = fig.axes
    assert sorted(t.get_text() for t in heat.texts) == sorted(f"{v:.2f}" for v in J.flatten().tolist())
    np.testing.assert_allclose([p.get_height() for p in bars.patches], [1.25, -1.0, -0.5])
    np.testing.assert_allclose(bars.collections[0].get_offsets()[:, 1], [1.25, -1.0, -0.5])
    plt.close(fig)


def test_gradient_field_and_hessian_labels_the_hessians_eigenvalues():
    grid_x, grid_y = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 3))
    H = torch.tensor([[2.0, 0.0], [0.0, 8.0]])  # f = x² + 4y²
    plots.gradient_field_and_hessian(lambda x, y: x ** 2 + 4 * y ** 2, grid_x, grid_y,
                                     torch.tensor(2 * grid_x), torch.tensor(8 * grid_y), torch.tensor([0.5, 0.5]), H)
    field, heat = plt.gcf().axes
    assert sorted(t.get_text() for t in field.texts if t.get_text()) == ["curvature 2.0", "curvature 8.0"]
    assert sorted(t.get_text() for t in heat.texts) == ["0.0", "0.0", "2.0", "8.0"]
    plt.close("all")
