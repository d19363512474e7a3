"""The three install paths name the same packages at compatible versions, and README.md, .ci/run
and ./course agree on the commands.

- requirements.txt: exact pins, installed by ./course (students, CI);
- pyproject.toml: compatible ranges in the `course` and `test` extras (pip install by hand);
- environment.yml: conda-forge packages for Binder.
"""

import os
import re
import tomllib
from pathlib import Path

import pytest
import setuptools
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent

# conda-forge names for the same Python packages.
CONDA_TO_PIP = {"python-graphviz": "graphviz", "matplotlib-base": "matplotlib"}
# conda packages that are not pip packages: the interpreter, Graphviz's dot program (pip cannot
# install it; ./course gets it from apt), and pip itself (for environment.yml's pip section).
CONDA_ONLY = {"python", "graphviz", "pip"}
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
# pip packages Binder leaves out, and why.
PIP_ONLY = {"playwright": "the browser test needs Debian's chromium, which Binder does not have"}


def read_pins():
    """requirements.txt as {name: Requirement}."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    reqs = [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(req.name): req for req in reqs}


def pinned_version(req):
    (spec,) = req.specifier
    return Version(spec.version)


def read_pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def read_pyproject_ranges():
    """The `course` and `test` extras of pyproject.toml, plus the core dependencies, as {name: Requirement}."""
    project = read_pyproject()["project"]
    lines = project["dependencies"] + [dep for extra in project["optional-dependencies"].values() for dep in extra]
    return {canonicalize_name(Requirement(line).name): Requirement(line) for line in lines}


def conda_specifier(spec):
    """A conda version spec as a packaging SpecifierSet: conda's `=2` means any 2.x."""
    if spec.startswith("=") and not spec.startswith("=="):
        return SpecifierSet(f"=={spec[1:]}.*")
    return SpecifierSet(spec)


def read_environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def read_conda_specs():
    """environment.yml's conda packages as {conda name: SpecifierSet}."""
    specs = {}
    for dep in read_environment()["dependencies"]:
        if isinstance(dep, str):
            name, spec = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", dep).groups()
            specs[canonicalize_name(name)] = conda_specifier(spec.strip())
    return specs


def read_binder_pip_section():
    """environment.yml's pip section: (its pip options, {name: Requirement})."""
    (section,) = [dep["pip"] for dep in read_environment()["dependencies"] if isinstance(dep, dict)]
    options = [line for line in section if line.startswith("-")]
    reqs = [Requirement(line) for line in section if not line.startswith("-")]
    return options, {canonicalize_name(req.name): req for req in reqs}


def conda_specs_by_pip_name():
    specs = {CONDA_TO_PIP.get(name, name): spec for name, spec in read_conda_specs().items() if name not in CONDA_ONLY}
    specs.update({name: req.specifier for name, req in read_binder_pip_section()[1].items()})
    return specs


def test_binder_takes_torch_from_pytorchs_cpu_index_at_the_pinned_version():
    # conda-forge's pytorch-cpu lags PyPI: the pin itself comes from PyTorch's CPU wheel index.
    options, reqs = read_binder_pip_section()
    assert options == [f"--index-url {TORCH_CPU_INDEX}"]
    assert list(reqs) == ["torch"]
    assert str(reqs["torch"].specifier) == str(read_pins()["torch"].specifier)
    assert "pytorch" not in " ".join(read_conda_specs())


def test_binder_installs_the_course_editable():
    # Lesson 12 invites students to edit the engine: on Binder the edit must take effect.
    commands = [line for line in (ROOT / "postBuild").read_text().splitlines() if line.startswith("pip ")]
    assert commands == ["pip install --no-deps -e ."]


def test_requirements_are_exact_pins():
    for name, req in read_pins().items():
        assert [spec.operator for spec in req.specifier] == ["=="], f"{name} must be pinned with =="


def test_pyproject_names_the_pinned_packages():
    assert read_pyproject_ranges().keys() == read_pins().keys()


def test_environment_yml_names_the_pinned_packages():
    assert conda_specs_by_pip_name().keys() == read_pins().keys() - PIP_ONLY.keys()


@pytest.mark.parametrize("name", sorted(read_pins()))
def test_pin_is_inside_the_pyproject_range(name):
    pin = pinned_version(read_pins()[name])
    assert pin in read_pyproject_ranges()[name].specifier


@pytest.mark.parametrize("name", sorted(read_pins().keys() - PIP_ONLY.keys()))
def test_binder_gets_the_pinned_major_version(name):
    spec, pin = conda_specs_by_pip_name()[name], pinned_version(read_pins()[name])
    assert pin in spec
    # Probes either side of the pin's major version: Binder may pick another minor, never another major.
    assert Version(f"{pin.major + 1}") not in spec
    if pin.major > 0:
        assert Version(f"{pin.major - 1}.999999") not in spec


def test_binder_python_satisfies_requires_python():
    binder_python = read_conda_specs()["python"]
    requires_python = SpecifierSet(read_pyproject()["project"]["requires-python"])
    (spec,) = binder_python
    assert Version(spec.version.removesuffix(".*")) in requires_python


def test_the_engine_installs_with_numpy_alone():
    dependencies = read_pyproject()["project"]["dependencies"]
    assert [canonicalize_name(Requirement(dep).name) for dep in dependencies] == ["numpy"]


def test_package_discovery_includes_subpackages_and_nothing_else(tmp_path):
    packages = ["autograd_mini", "autograd_mini.autograd", "autograd_course", "autograd_course.widgets"]
    for package in packages + ["tests", "benchmarks", "autograd_mini_extra"]:
        (tmp_path / package.replace(".", "/")).mkdir(parents=True)
        (tmp_path / package.replace(".", "/") / "__init__.py").touch()
    include = read_pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    assert sorted(setuptools.find_packages(tmp_path, include=include)) == sorted(packages)


def readme_commands():
    """The commands in README.md's opening code block, which must follow the title directly."""
    lines = [line for line in (ROOT / "README.md").read_text().splitlines() if line.strip()]
    assert lines[0].startswith("# "), "README.md starts with its title"
    assert lines[1].startswith("```"), "the commands come right after the title"
    end = lines.index("```", 2)
    return [line.strip() for line in lines[2:end]]


def test_readme_opens_with_the_two_commands():
    assert readme_commands() == ["./course lab", "./course test"]


def test_ci_runs_the_readme_test_command():
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    commands = [line for line in ci_lines if line and not line.startswith("#")]
    assert readme_commands()[1] in commands


def test_course_script_is_executable():
    # .ci/run and README.md call it as ./course.
    assert os.access(ROOT / "course", os.X_OK)


def test_course_names_an_unknown_command():
    import subprocess

    run = subprocess.run([str(ROOT / "course"), "frobnicate"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 2
    assert run.stderr.startswith("course: unknown command 'frobnicate'\n")
    assert "usage: ./course lab" in run.stderr


def test_course_installs_debian_packages_without_upgrading_others():
    # Every install the script runs itself goes through as_root; the other mentions are advice.
    script = (ROOT / "course").read_text()
    installs = re.findall(r"as_root[^\n]*apt-get install[^\n]*", script)
    assert installs and all("--no-upgrade" in line for line in installs)
