"""torch.save / torch.load on both engines: what comes back (containers, dtypes, 0-d
tensors, Parameters, requires_grad, a non-leaf saved as a leaf) prints as torch's does;
weights_only (torch's default since 2.6) refuses anything but data; file objects work."""
import io
import pickle

import numpy as np
import pytest

from _nn_twin import ENGINES


class Holder:
    """A user's class: only weights_only=False may bring it back."""

    def __init__(self, value):
        self.value = value


def _checkpoint(lib):
    w = lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    return {"epoch": 3, "loss": (w * 2).sum(), "weights": [w, w[1:], lib.tensor(True)],
            "ints": (lib.tensor(5), lib.tensor([1, 2], dtype=lib.int32)),
            "double": lib.ones(2, dtype=lib.float64), "param": lib.nn.Parameter(lib.zeros(2)),
            "model": lib.nn.Linear(2, 1).state_dict(), "name": "run-1", "lr": 1e-3}


def _printed(obj):
    return str(obj).replace("autograd_mini.", "torch.")


def _round_trip(lib, obj, path, **load_options):
    lib.save(obj, path)
    return lib.load(path, **load_options)


@pytest.mark.parametrize("weights_only", [True, False, None])
def test_checkpoint_comes_back_as_in_torch(weights_only, tmp_path):
    options = {} if weights_only is None else {"weights_only": weights_only}
    torch_lib, mini = ENGINES["torch"], ENGINES["mini"]
    torch_lib.manual_seed(0)
    ref = _round_trip(torch_lib, _checkpoint(torch_lib), tmp_path / "t.pt", **options)
    start = ref["model"]
    obj = _checkpoint(mini)
    obj["model"] = type(obj["model"])((k, mini.tensor(v.numpy())) for k, v in start.items())
    loaded = _round_trip(mini, obj, tmp_path / "m.pt", **options)
    assert _printed(loaded) == _printed(ref)
    assert type(loaded["param"]).__name__ == type(ref["param"]).__name__ == "Parameter"
    assert loaded["loss"].is_leaf and ref["loss"].is_leaf


def test_weights_only_refuses_other_classes(tmp_path):
    messages = []
    for name, lib in ENGINES.items():
        path = tmp_path / f"{name}.pt"
        lib.save(Holder(lib.ones(2)), path)
        with pytest.raises(pickle.UnpicklingError, match="Weights only load failed") as error:
            lib.load(path)
        messages.append(str(error.value))
        assert lib.load(path, weights_only=False).value.tolist() == [1.0, 1.0]
    assert messages[0] == messages[1]


def test_safe_globals_let_a_class_through(tmp_path):
    for name, lib in ENGINES.items():
        path = tmp_path / f"{name}.pt"
        lib.save(Holder(lib.ones(2)), path)
        with lib.serialization.safe_globals([Holder]):
            assert lib.load(path).value.tolist() == [1.0, 1.0]
        with pytest.raises(pickle.UnpicklingError, match="add_safe_globals"):
            lib.load(path)
        lib.serialization.add_safe_globals([Holder])
        try:
            assert Holder in lib.serialization.get_safe_globals()
            assert isinstance(lib.load(path), Holder)
        finally:
            lib.serialization.clear_safe_globals()


def test_whole_model_with_weights_only_false(tmp_path):
    outputs = []
    for name, lib in ENGINES.items():
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU())
        if name == "mini":
            model.load_state_dict(outputs[0][1])
        lib.save(model, tmp_path / f"{name}.pth")
        loaded = lib.load(tmp_path / f"{name}.pth", weights_only=False)
        outputs.append((str(loaded), loaded.state_dict(), loaded(lib.ones(1, 2)).tolist()))
    assert outputs[0][0] == outputs[1][0]
    np.testing.assert_allclose(outputs[1][2], outputs[0][2], rtol=1e-6)


def test_a_tensor_saved_twice_loads_as_one():
    for lib in ENGINES.values():
        buffer, w = io.BytesIO(), lib.ones(2)
        lib.save({"a": w, "b": [w, w.clone()]}, buffer)
        buffer.seek(0)
        loaded = lib.load(buffer)
        assert loaded["a"] is loaded["b"][0] and loaded["a"] is not loaded["b"][1]


def test_file_objects_and_map_location():
    for lib in ENGINES.values():
        buffer = io.BytesIO()
        lib.save({"x": lib.arange(3)}, buffer)
        buffer.seek(0)
        assert lib.load(buffer, map_location="cpu")["x"].tolist() == [0, 1, 2]
