"""autograd_course.training_view draws both engines' loss curves and fits, from either engine's tensors."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import autograd_mini  # noqa: E402
from autograd_course import training_view  # noqa: E402


def test_losses_and_fits_draws_each_engines_curve_and_fit_and_the_data():
    x = torch.tensor([[0.0], [1.0]])
    grid = torch.linspace(0, 1, 3).reshape(-1, 1)
    fit_mini = autograd_mini.tensor([[0.0], [0.5], [1.0]])
    training_view.losses_and_fits(x, 2 * x, grid, [1.0, 0.5], 2 * grid, [1.0, 0.25], fit_mini,
                                  truth=2 * grid)
    losses, fits = plt.gcf().axes  # plt.show() does nothing under Agg: the figure stays current
    assert [line.get_label() for line in losses.lines] == ["torch", "autograd_mini"]
    np.testing.assert_allclose(losses.lines[1].get_ydata(), [1.0, 0.25])
    assert losses.get_yscale() == "log"
    np.testing.assert_allclose(fits.collections[0].get_offsets(), [[0.0, 0.0], [1.0, 2.0]])
    np.testing.assert_allclose(fits.lines[0].get_ydata(), [0.0, 1.0, 2.0])
    np.testing.assert_allclose(fits.lines[1].get_ydata(), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(fits.lines[2].get_ydata(), [0.0, 1.0, 2.0])
    plt.close("all")
