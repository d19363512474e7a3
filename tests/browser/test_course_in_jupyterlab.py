"""The course in a real browser: JupyterLab in headless Chromium, driven like a student would.

It opens the graph lesson, runs all its cells and checks what a student must see: no error,
the graph Graphviz drew, a widget that answers a key press; then it runs the lesson's
exercises and checks that a check shows its feedback. Screenshots of each phase go to
artifacts/browser/ at the repository root.
"""

import re

import nbformat
import pytest
from playwright.sync_api import expect

LESSON = "notebooks/04_the_graph.ipynb"
EXERCISES = "exercises/04_the_graph_exercises.ipynb"

# Bounds on each wait, in milliseconds; the whole test stays well under three minutes.
OPEN_MS = 45_000  # page load, and the kernel's start
RUN_ALL_MS = 60_000
WIDGET_MS = 20_000

NOTEBOOK = ".jp-NotebookPanel .jp-Notebook"
OUTPUT = f"{NOTEBOOK} .jp-OutputArea-output"
KERNEL_STATUS = "#jp-main-statusbar .jp-StatusBar-TextItem"
BACKWARD_NODE = re.compile(r"\b[A-Za-z]+Backward\d+\b")  # a node autograd recorded, e.g. MulBackward0

# True once no cell is waiting or running and every code cell has run, or one has failed
# (the kernel then skips the cells queued after it, so they would never get a number).
ALL_RAN_JS = """([notebook, expected]) => {
  const prompts = [...document.querySelectorAll(`${notebook} .jp-CodeCell .jp-InputPrompt`)]
    .map(prompt => prompt.textContent);
  if (prompts.some(text => text.includes('*'))) return false;
  const ran = prompts.filter(text => /\\[\\d+\\]/.test(text)).length;
  const failed = [...document.querySelectorAll(`${notebook} .jp-OutputArea-output`)]
    .some(output => output.textContent.includes('Traceback'));
  return ran === expected || failed;
}"""

# Outputs that show an error: a traceback anywhere, an error on stderr (where JupyterLab
# renders a cell's exception), or a widget that failed to display. A lesson may still print
# an exception's message to stdout on purpose, to show it.
ERRORS_JS = """outputs => outputs
  .filter(output =>
    output.textContent.includes('Traceback')
    || (output.dataset.mimeType === 'application/vnd.jupyter.stderr' && output.textContent.includes('Error'))
    || output.textContent.includes('Error displaying widget'))
  .map(output => output.textContent)"""

# The titles of the graph nodes in visible graphs: SVG drawn inline (HTML outputs, widgets)
# or shown as an <img> of an SVG (JupyterLab's image/svg+xml renderer).
GRAPH_NODES_JS = """outputs => {
  const shown = element => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const titles = svg => [...svg.querySelectorAll('g.node')].map(node => node.textContent.trim());
  const found = [];
  for (const output of outputs) {
    for (const svg of output.querySelectorAll('svg')) if (shown(svg)) found.push(...titles(svg));
    for (const img of output.querySelectorAll('img[src^="data:image/svg+xml"]')) {
      if (!shown(img) || img.naturalWidth === 0) continue;
      const [header, data] = img.src.split(',', 2);
      const source = header.endsWith(';base64') ? atob(data) : decodeURIComponent(data);
      found.push(...titles(new DOMParser().parseFromString(source, 'image/svg+xml')));
    }
  }
  return found;
}"""

# The text of a widget's output without its sliders' own readouts: what the kernel redraws.
TEXT_BESIDE_SLIDERS_JS = """output => {
  const copy = output.cloneNode(true);
  copy.querySelectorAll('.widget-slider').forEach(slider => slider.remove());
  return copy.textContent;
}"""


def code_cells_to_run(lab, path):
    """How many code cells Run All executes: JupyterLab skips the empty ones."""
    notebook = nbformat.read(lab.root / path, as_version=4)
    return sum(1 for cell in notebook.cells if cell.cell_type == "code" and cell.source.strip())


def expect_kernel_idle(page):
    expect(page.locator(KERNEL_STATUS, has_text="| Idle"),
           "the status bar does not show the kernel idle").to_be_visible(timeout=OPEN_MS)


def open_notebook(page, lab, path):
    """Open ``path`` alone in a fresh workspace and wait until its kernel is idle."""
    if not (lab.root / path).exists():
        pytest.fail(f"{path} is missing from the course: the browser test opens it")
    page.goto(lab.lab_url(path, workspace=path.split("/")[0]))
    expect(page.locator(NOTEBOOK)).to_have_count(1, timeout=OPEN_MS)
    expect_kernel_idle(page)


def run_all_cells(page, lab, path):
    """Run > Run All Cells, then wait until every cell has run (or one failed) and the kernel is idle."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    expected = code_cells_to_run(lab, path)
    page.wait_for_function(ALL_RAN_JS, arg=[NOTEBOOK, expected], timeout=RUN_ALL_MS)
    expect_kernel_idle(page)
    errors = page.locator(OUTPUT).evaluate_all(ERRORS_JS)
    assert not errors, f"{path} shows errors after Run All:\n" + "\n---\n".join(errors)
    numbered = page.locator(f"{NOTEBOOK} .jp-CodeCell .jp-InputPrompt", has_text=re.compile(r"\[\d+\]"))
    expect(numbered, f"not every code cell of {path} ran").to_have_count(expected)


def check_graph_is_drawn(page):
    graphs = page.locator(OUTPUT).filter(has=page.locator("svg, img[src^='data:image/svg+xml']"))
    expect(graphs.first, "no output of the lesson shows an SVG picture").to_be_visible()
    graphs.first.scroll_into_view_if_needed()
    titles = graphs.evaluate_all(GRAPH_NODES_JS)
    assert any(BACKWARD_NODE.search(title) for title in titles), (
        f"no visible graph has a backward node (such as MulBackward0); node titles found: {titles}")


def check_slider_responds(page, screenshot):
    """Focus the first slider's handle and press ArrowRight: its value moves and the kernel redraws."""
    output = page.locator(OUTPUT).filter(has=page.locator(".widget-slider")).first
    slider = output.locator(".widget-slider").first
    expect(slider, "no output of the lesson shows an ipywidgets slider").to_be_visible()
    readout = slider.locator(".widget-readout")
    value_before = readout.inner_text()
    text_before = output.evaluate(TEXT_BESIDE_SLIDERS_JS)
    slider.scroll_into_view_if_needed()
    screenshot("03_widget_before_key")

    slider.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    expect(readout).not_to_have_text(value_before, timeout=WIDGET_MS)
    assert float(readout.inner_text()) > float(value_before), "ArrowRight moved the slider to the left"
    page.wait_for_function(f"([output, before]) => ({TEXT_BESIDE_SLIDERS_JS})(output) !== before",
                           arg=[output.element_handle(), text_before], timeout=WIDGET_MS)
    expect_kernel_idle(page)
    screenshot("04_widget_after_key")


@pytest.mark.browser
def test_graph_lesson_and_its_exercises_work_in_jupyterlab(jupyter_lab, page, screenshot):
    open_notebook(page, jupyter_lab, LESSON)
    screenshot("01_lesson_opened")

    run_all_cells(page, jupyter_lab, LESSON)
    check_graph_is_drawn(page)
    screenshot("02_lesson_graph")
    check_slider_responds(page, screenshot)

    open_notebook(page, jupyter_lab, EXERCISES)
    run_all_cells(page, jupyter_lab, EXERCISES)
    feedback = page.locator(OUTPUT, has_text="Not attempted").first
    expect(feedback, f"no check in {EXERCISES} shows its 'Not attempted' feedback").to_be_visible()
    feedback.scroll_into_view_if_needed()
    screenshot("05_exercise_feedback")
