"""A graphviz Digraph that explains how to install ``dot`` when it is missing."""

import contextlib

import graphviz

INSTALL_DOT = (
    "Drawing the graph needs the Graphviz program `dot`, which is not installed here.\n"
    "Install it with one of:\n"
    "    sudo apt-get install graphviz              (Debian/Ubuntu)\n"
    "    conda install -c conda-forge graphviz      (conda)\n"
    "or open the course through its Binder link, where it is installed.\n"
    "To see the graph as text: print(graph_text(t))."
)


class DotMissingError(graphviz.ExecutableNotFound):
    """``dot`` is not on PATH; the message says how to install it."""

    def __init__(self):
        RuntimeError.__init__(self, INSTALL_DOT)


@contextlib.contextmanager
def explaining_missing_dot():
    try:
        yield
    except graphviz.ExecutableNotFound as error:
        if isinstance(error, DotMissingError):
            raise
        raise DotMissingError() from error


class CourseGraph(graphviz.Digraph):
    """Shows inline as SVG in Jupyter like any Digraph; without ``dot`` it shows
    the install instructions and the graph as text instead of a traceback."""

    def __init__(self, *args, text_form="", **kwargs):
        super().__init__(*args, **kwargs)
        self.text_form = text_form

    def _copy_kwargs(self, **kwargs):
        return super()._copy_kwargs(text_form=self.text_form, **kwargs)

    def pipe(self, *args, **kwargs):
        with explaining_missing_dot():
            return super().pipe(*args, **kwargs)

    def render(self, *args, **kwargs):
        with explaining_missing_dot():
            return super().render(*args, **kwargs)

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except DotMissingError:
            return {"text/plain": f"{INSTALL_DOT}\n\n{self.text_form}"}
