"""Grad mode belongs to a thread, as in torch: no_grad in one thread leaves another one
recording, and a new thread starts with grad mode on (and inference mode off) whatever
the thread that started it was doing."""
import threading

import torch

import autograd_mini


def program(lib):
    seen = {}
    inside = threading.Event()
    leave = threading.Event()

    def quiet_worker():
        with lib.no_grad():
            inside.set()
            leave.wait(5)
            seen["worker"] = lib.is_grad_enabled()

    def started_under_no_grad():
        seen["new thread"] = (lib.is_grad_enabled(), lib.is_inference_mode_enabled())
        x = lib.ones(2, requires_grad=True)
        seen["records"] = (x * 2).requires_grad

    worker = threading.Thread(target=quiet_worker)
    worker.start()
    inside.wait(5)
    x = lib.ones(2, requires_grad=True)
    seen["main while the worker is in no_grad"] = (lib.is_grad_enabled(), (x * 3).requires_grad)
    leave.set()
    worker.join()
    with lib.inference_mode():
        other = threading.Thread(target=started_under_no_grad)
        other.start()
        other.join()
    return seen


def test_grad_mode_is_per_thread():
    assert program(autograd_mini) == program(torch) == {
        "worker": False, "main while the worker is in no_grad": (True, True),
        "new thread": (True, False), "records": True}
