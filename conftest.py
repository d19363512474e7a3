"""nbval settings for every notebook folder (notebooks/, solutions/, exercises/): which
stored outputs CI compares with a new run. It sits at the root so one rule serves all three.

Outputs that change without the lesson changing are not compared: the SVG that
Graphviz's `dot` draws (it differs between dot versions), PNG plots (pixels depend on
matplotlib's version and fonts), and ipywidgets views (each run makes new model ids).
Their text and HTML forms are still compared. Text that varies, such as memory
addresses, is rewritten by nbval_sanitize.cfg at the repository root.
"""

from nbval.plugin import IPyNbFile

NOT_COMPARED = ("image/svg+xml", "image/png", "application/vnd.jupyter.widget-view+json")


def pytest_collectstart(collector):
    # nbval's hook for this: each notebook's collector carries the output keys it skips
    if isinstance(collector, IPyNbFile):
        collector.skip_compare = tuple(collector.skip_compare) + NOT_COMPARED
