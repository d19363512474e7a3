"""Memory layout as torch reports it: stride(), storage_offset(), data_ptr(), sizes in
bytes, layout and the is_* flags; each compared with torch on the same code."""
import pytest
import torch

import autograd_mini

ENGINES = (torch, autograd_mini)

VIEWS = {
    "contiguous": lambda x: x,
    "transpose": lambda x: x.t(),
    "permute": lambda x: x.reshape(2, 3, 2).permute(2, 0, 1),
    "column slice": lambda x: x[:, 1:],
    "stepped slice": lambda x: x[::2, 1::2],
    "row": lambda x: x[2],
    "element": lambda x: x[1, 2],
    "unsqueeze": lambda x: x.unsqueeze(1),
    "unsqueeze last": lambda x: x.unsqueeze(-1),
    "new axis first": lambda x: x[None],
    "new axis of a transpose": lambda x: x.t()[None],
    "expand": lambda x: x[:1].expand(5, 4),
    "expand new dim": lambda x: x.expand(2, 3, 4),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "diagonal": lambda x: x.diagonal(),
    "size-1 column transposed": lambda x: x[:, :1].t(),
    "view": lambda x: x.view(4, 3),
    "flatten of a slice": lambda x: x[1:].flatten(),
}


def _both(program):
    return [program(lib, lib.arange(12.).reshape(3, 4)) for lib in ENGINES]


@pytest.mark.parametrize("name", VIEWS)
def test_stride_and_offset_of_views(name):
    view = VIEWS[name]
    ref, mini = _both(lambda lib, x: (view(x).stride(), view(x).storage_offset(),
                                      view(x).is_contiguous(),
                                      view(x).data_ptr() - x.data_ptr()))
    assert mini == ref


def test_stride_of_one_dim_and_its_errors():
    ref, mini = _both(lambda lib, x: [x.stride(0), x.stride(-1), x.t().stride(1),
                                      lib.tensor(1.5).stride()])
    assert mini == ref
    for bad, error in ((5, IndexError), (-3, IndexError), (1.5, TypeError)):
        messages = []
        for lib in ENGINES:
            with pytest.raises(error) as caught:
                lib.zeros(3, 4).stride(bad)
            messages.append(str(caught.value))
        assert messages[0] == messages[1]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "int16",
                                   "int8", "uint8", "bool"])
def test_sizes_in_bytes(dtype):
    ref, mini = _both(lambda lib, x: (lambda t: (t.element_size(), t.itemsize, t.nbytes,
                                                 t[1:].nbytes))(x.to(getattr(lib, dtype))))
    assert mini == ref


def test_layout_and_flags():
    ref, mini = _both(lambda lib, x: [repr(x.layout).split(".")[-1], x.layout is lib.strided,
                                      x.is_sparse, x.is_quantized, x.is_meta, x.is_nested,
                                      x.is_mkldnn, x.ndimension()])
    assert mini == ref == ["strided", True, False, False, False, False, False, 2]


@pytest.mark.parametrize("name", ["itemsize", "nbytes", "layout", "is_sparse"])
def test_layout_attributes_are_read_only(name):
    messages = []
    for lib in ENGINES:
        with pytest.raises(AttributeError) as caught:
            setattr(lib.zeros(2), name, 1)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
