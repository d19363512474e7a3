"""Grad mode and threads: a known difference from torch, kept for speed (grad_mode.py).

In torch, grad mode belongs to a thread: no_grad in one thread leaves another one
recording. autograd_mini has one flag for the process, so while a worker thread is inside
no_grad, the main thread does not record either. This test pins both behaviours, so that
the difference is seen if either engine changes."""
import threading

import torch

import autograd_mini


def main_thread_records_while_a_worker_is_in_no_grad(lib):
    inside, leave = threading.Event(), threading.Event()

    def worker():
        with lib.no_grad():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    records = (lib.ones(2, requires_grad=True) * 3).requires_grad
    leave.set()
    thread.join()
    return records, lib.is_grad_enabled()


def test_torch_keeps_grad_mode_per_thread():
    assert main_thread_records_while_a_worker_is_in_no_grad(torch) == (True, True)


def test_autograd_mini_shares_one_grad_mode_between_threads():
    assert main_thread_records_while_a_worker_is_in_no_grad(autograd_mini) == (False, True)
