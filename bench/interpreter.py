"""Which Python runs the benchmark, and how fast it is. Standard library only: the
Makefile runs it before any virtualenv exists.

    python bench/interpreter.py choose     # "base <path>" or "direct <path>"
    python bench/interpreter.py describe   # JSON: path, version, build flags, probe

The benchmark runs on an optimised interpreter, chosen in this order:

1. ``BENCH_PYTHON`` when set (a path or a command name);
2. Debian's ``/usr/bin/python3`` when present (built with PGO and LTO by Debian's rules);
3. the project's virtualenv (``.venv/bin/python``).

A plain interpreter ("base") gets its own virtualenv, ``.venv-bench``, which the
Makefile creates and keeps installed; an interpreter that already is a virtualenv's
("direct") is used as it is.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEBIAN_PYTHON = "/usr/bin/python3"
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"


class InterpreterError(Exception):
    pass


def choose(
    environ: dict[str, str] | None = None,
    *,
    debian_python: str = DEBIAN_PYTHON,
    project_python: Path = PROJECT_PYTHON,
) -> tuple[str, str, str]:
    """(kind, path, why): kind is ``base`` (make a virtualenv from it) or ``direct``."""
    environ = os.environ if environ is None else environ
    wanted = environ.get("BENCH_PYTHON", "").strip()
    if wanted:
        path = shutil.which(wanted) or (wanted if Path(wanted).is_file() else None)
        if path is None:
            raise InterpreterError(f"BENCH_PYTHON={wanted!r} is not an interpreter found here")
        kind = "direct" if is_virtualenv_python(path) else "base"
        return kind, path, "BENCH_PYTHON"
    if Path(debian_python).is_file() and os.access(debian_python, os.X_OK):
        return "base", debian_python, "Debian's /usr/bin/python3"
    return "direct", str(project_python), "the project's virtualenv (no faster one found)"


def is_virtualenv_python(path: str) -> bool:
    """A virtualenv's interpreter has a ``pyvenv.cfg`` one level above its ``bin``."""
    return (Path(path).absolute().parent.parent / "pyvenv.cfg").is_file()


def probe(repeat: int = 5) -> float:
    """Milliseconds for a fixed pure-Python loop (calls, attribute and dict access,
    string formatting, integer arithmetic), the best of ``repeat`` runs."""

    class Point:
        __slots__ = ("x", "y")

        def __init__(self, x: int, y: int) -> None:
            self.x, self.y = x, y

    def work() -> int:
        total = 0
        seen: dict[str, int] = {}
        for i in range(200_000):
            p = Point(i, i % 7)
            key = f"k{p.y}"
            seen[key] = seen.get(key, 0) + p.x
            total += len(key) + (p.x * 3 // 2) % 11
        return total + len(seen)

    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def describe(*, with_probe: bool = True) -> dict:
    """The interpreter running this code: what it is and what its sysconfig says."""
    config_args = sysconfig.get_config_var("CONFIG_ARGS") or ""
    base = getattr(sys, "_base_executable", sys.executable)
    info = {
        "executable": sys.executable,
        "base_executable": base,
        "base_realpath": os.path.realpath(base),
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "compiler": platform.python_compiler(),
        "in_virtualenv": sys.prefix != sys.base_prefix,
        "sysconfig_enable_optimizations": "--enable-optimizations" in config_args,
        "sysconfig_with_lto": "--with-lto" in config_args,
        # Debian patches sysconfig with its own install scheme; its CONFIG_ARGS do not
        # show the PGO and LTO that its build rules apply.
        "debian_build": "deb_system" in sysconfig.get_scheme_names(),
        "probe_ms": probe() if with_probe else None,
    }
    return info


def describe_other(python: str, *, timeout: float = 60) -> dict:
    """``describe()`` as seen by another interpreter (a subprocess)."""
    result = subprocess.run(
        [python, str(Path(__file__).resolve()), "describe"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return json.loads(result.stdout)


def build_flags(info: dict) -> str:
    """One plain sentence on how the interpreter was built, as far as it can tell."""
    flags = [
        f"--enable-optimizations {'yes' if info['sysconfig_enable_optimizations'] else 'no'}",
        f"--with-lto {'yes' if info['sysconfig_with_lto'] else 'no'}",
    ]
    text = "sysconfig CONFIG_ARGS: " + ", ".join(flags)
    if info["debian_build"]:
        text += " (Debian's build: its rules apply PGO and LTO, which CONFIG_ARGS does not record)"
    return text


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "describe"
    if command == "choose":
        try:
            kind, path, _why = choose()
        except InterpreterError as error:
            print(error, file=sys.stderr)
            return 2
        print(kind, path)
        return 0
    if command == "describe":
        print(json.dumps(describe()))
        return 0
    if command == "probe":
        print(probe())
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))


def measured() -> dict:
    """This interpreter, why it was chosen, and its speed probe beside the project
    venv's (taken in turns, best of three each: the machine's speed drifts)."""
    if cached := os.environ.get("BENCH_INTERPRETER_INFO"):  # from the run of all scales
        return json.loads(cached)
    info = describe(with_probe=False)
    try:
        _kind, path, why = choose()
    except InterpreterError as error:
        path, why = None, str(error)
    same = path is not None and os.path.realpath(path) in (
        info["base_realpath"],
        os.path.realpath(info["executable"]),
    )
    info["chosen_by"] = why if same else "run directly (not the interpreter make bench picks)"
    project = PROJECT_PYTHON
    other = project.exists() and os.path.realpath(project) != os.path.realpath(sys.executable)
    own_probes, other_probes, reference = [], [], None
    for _ in range(3):
        own_probes.append(probe())
        if other:
            try:
                reference = describe_other(str(project))
            except (subprocess.SubprocessError, OSError, ValueError):
                other = False
            else:
                other_probes.append(reference["probe_ms"])
    info["probe_ms"] = min(own_probes)
    if reference is not None and other_probes:
        reference["probe_ms"] = min(other_probes)
    info["project_venv"] = reference
    return info
