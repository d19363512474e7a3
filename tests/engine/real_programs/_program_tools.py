"""What the test_autograd-style programs share (the runner puts this folder on sys.path)."""


def attempt(label, f):
    """Run f(); print what it returned, or the error's type and message, as the held-out
    programs print them."""
    try:
        print(label, "ok", f())
    except Exception as e:
        print(label, type(e).__name__, str(e))
