"""A project's defaults for the harness: `harness.toml`, or `[tool.wic-harness]` of pyproject.toml,
found and read, every key checked.

The defaults live in `harness.toml` (keys at the top level) or in the `[tool.wic-harness]`
section of pyproject.toml, found in the current folder (harness.toml first), or in the file
--config FILE names; --no-config ignores them. Command-line values win. Top-level keys are
defaults for every command that takes them (`output` for `harness run` only); a table named
after a command (`[tool.wic-harness.sweep]`) holds that command's own (`output` among them, for
every command that embeds). Paths are relative to
the file's folder. A key that is unknown or of the wrong type, or a file that is not TOML, is
an error naming the file and the key (exit 2). Applying them to a command's options is
`harness.cli.config`'s job.

    [tool.wic-harness]
    suites = ["suites/polysemy.yaml"]
    backends = ["glove-50d"]
    min-accuracy = 0.5
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, did_you_mean

FILE_NAME = "harness.toml"
SECTION = "wic-harness"  # [tool.wic-harness] of pyproject.toml


def _number(low: float, high: float) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float) or not \
                low <= value <= high:
            raise ValueError(f"a number from {low:g} to {high:g}")
        return float(value)
    return check


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a non-empty string")
    return value


def _texts(value: Any) -> list[str]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(
            isinstance(v, str) and v.strip() for v in values):
        raise ValueError("a list of non-empty strings")
    return list(values)


def _executor(value: Any) -> str:
    if value not in ("local", "ray"):
        raise ValueError('"local" or "ray"')
    return value


def _limit(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("a whole number of at least 1")
    return value


@dataclass(frozen=True)
class Key:
    dest: str  # the argparse destination it fills
    check: Callable[[Any], Any]  # the value checked (ValueError: what it must be)
    path: str = ""  # "file": relative to the config's folder; "suite": a file so, or a name


KEYS = {
    "suites": Key("suites", _texts, path="suite"),
    "backends": Key("backend", _texts),
    "output": Key("output", _text, path="file"),
    "executor": Key("executor", _executor),
    "baseline": Key("baseline", _text, path="file"),
    "min-accuracy": Key("min_accuracy", _number(0, 1)),
    "max-unscored": Key("max_unscored", _number(0, 1)),
    "min-spearman": Key("min_spearman", _number(-1, 1)),
    "min-f1": Key("min_f1", _number(0, 1)),
    "spearman-tolerance": Key("spearman_tolerance", _number(0, 1)),
    "select": Key("select", _texts),
    "limit": Key("limit", _limit),
    # the results store (harness/results/store.py); --store and $HARNESS_STORE win over it
    "store": Key("config_store", _text, path="file"),
}
# the keys of every command that embeds (run, sweep, wic, geometry, senses), as their options
# -o and --executor are shared (harness/cli/common.py)
SHARED = {"output", "executor"}
# the commands that read the defaults, and the keys each takes
COMMANDS = {
    "run": set(KEYS),
    "sweep": {"suites", "backends", "select", "limit", *SHARED},
    "validate": {"suites", "select", "limit"},
    "wic": {"backends", "store", *SHARED},
    "runs": {"store"},
    "senses": set(SHARED),
    "geometry": set(SHARED),
}
TOP_ONLY_RUN = {"output"}  # a top-level key that only `harness run` takes


@dataclass(frozen=True)
class Config:
    """The checked defaults of one file: top-level keys, and each command's table."""

    path: Path
    values: dict[str, Any]
    commands: dict[str, dict[str, Any]]
    # named backend instances ([backends.NAME] tables): name -> {plugin, options, meta,
    # default, description, where}
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_command(self, command: str) -> dict[str, Any]:
        """The defaults `command` takes, its own table over the top-level keys."""
        top = {k: v for k, v in self.values.items() if k in COMMANDS.get(command, ())
               and (k not in TOP_ONLY_RUN or command == "run")}
        return {**top, **self.commands.get(command, {})}


# -- finding and reading ------------------------------------------------------------------------
def _toml():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib


def find(explicit: str | None = None, off: bool = False,
         folder: Path | None = None) -> Config | None:
    """The config: the file `explicit` names, else harness.toml, else pyproject.toml's
    section in `folder` (default: the current one); None with `off` or when there is none."""
    if off:
        return None
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise HarnessError(f"--config {explicit}: no such file")
        return read(path)
    folder = Path(".") if folder is None else folder
    if (folder / FILE_NAME).is_file():
        return read(folder / FILE_NAME)
    pyproject = folder / "pyproject.toml"
    return read(pyproject, quiet=True) if pyproject.is_file() else None


def read(path: Path, quiet: bool = False) -> Config | None:
    """The defaults in `path`: its [tool.wic-harness] section when it is a pyproject.toml (None
    when it has none), else its top level. `quiet`: a pyproject.toml that does not parse and
    does not mention the section is no config (not an error)."""
    is_pyproject = path.name == "pyproject.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{path}: cannot be read ({exc})") from None
    try:
        data = _toml().loads(text)
    except ValueError as exc:  # TOMLDecodeError
        if quiet and not re.search(rf'tool\.[\'"]?{SECTION}', text):
            return None
        raise HarnessError(f"{path}: not valid TOML: {exc}{_both_forms(str(exc))}") from None
    where = f"{path} [tool.{SECTION}]" if is_pyproject else str(path)
    if is_pyproject:
        tool = data.get("tool")
        data = tool.get(SECTION) if isinstance(tool, dict) else None
        if data is None:
            if quiet:
                return None
            raise HarnessError(f"{path} has no [tool.{SECTION}] section")
        if not isinstance(data, dict):
            raise HarnessError(f"{where}: tool.{SECTION} must be a table")
    return _checked(path, where, data, f"tool.{SECTION}." if is_pyproject else "")


def _checked(path: Path, where: str, data: dict[str, Any], table: str) -> Config:
    """The keys checked; `table`: what a command's table name follows ("tool.wic-harness.")."""
    values, commands, instances = {}, {}, {}
    for key, value in data.items():
        if key == "backends" and isinstance(value, dict):  # named instances
            instances = _instances(where, table, value)
            chosen = [name for name, inst in instances.items() if inst["default"]]
            if chosen:
                values[key] = chosen
        elif key in COMMANDS and isinstance(value, dict):
            commands[key] = {k: _value(path, f"{path} [{table}{key}]", k, v, COMMANDS[key], key)
                             for k, v in value.items()}
        else:
            values[key] = _value(path, where, key, value, KEYS.keys() | COMMANDS.keys())
    return Config(path, values, commands, instances)


def _value(path: Path, where: str, key: str, value: Any, known, command: str = "") -> Any:
    """One key's value checked (and a path made relative to the file's folder)."""
    if key in COMMANDS and not command:
        raise HarnessError(f"{where}: {key} must be a table: harness {key}'s own defaults")
    if key not in KEYS:
        choices = sorted(known)
        raise HarnessError(f"{where}: unknown key {key!r}{did_you_mean(key, choices)}; the keys "
                           f"are: {', '.join(choices)}")
    if key not in known:
        raise HarnessError(f"{where}: harness {command} takes no {key!r}; it takes: "
                           f"{', '.join(sorted(known))}")
    spec = KEYS[key]
    try:
        checked = spec.check(value)
    except ValueError as exc:
        raise HarnessError(f"{where}: {key} must be {exc}; got {value!r}") from None
    if key == "baseline" and checked.startswith("store:"):  # the results store, not a file
        return checked
    return _relative(path, checked, spec.path == "suite") if spec.path else checked


def _relative(path: Path, value: str | list[str], suite: bool) -> str | list[str]:
    """Paths given relative to the config file's folder, as the current folder sees them; with
    `suite`, a suite's name (no folder, no suffix: `wordsim353`) is left as it is."""
    if isinstance(value, list):
        return [_relative(path, v, suite) for v in value]  # type: ignore[misc]
    given = Path(value)
    named = suite and "/" not in value and "\\" not in value and not given.suffix
    if given.is_absolute() or named:
        return value
    return str(path.parent / given) if path.parent != Path(".") else value


# -- named backend instances: [backends.NAME] -------------------------------------------------
INSTANCE_KEYS = ("plugin", "options", "meta", "default", "description")
_NAME = re.compile(r"[A-Za-z0-9._-]+")


def _both_forms(message: str) -> str:
    """The fix for a file that has both `backends = [...]` and `[backends.NAME]` tables."""
    if "('backends'" not in message and "backends" not in message.split("(")[0]:
        return ""
    return (". `backends` is either a list of specs (backends = [\"minilm\"]) or a table of "
            "named instances ([backends.NAME] with plugin = ...), not both in one file: make "
            "each spec of the list a [backends.NAME] table (they all run by default; "
            "default = false for one that should run only when -b names it)")


def _instances(where: str, table: str, value: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The [backends.NAME] tables checked: plugin (text), options (a table) or option keys
    inline, meta (a table of model-card fields), default (true: run when no -b is given),
    description."""
    out = {}
    for name, spec in value.items():
        here = f"{where} [{table}backends.{name}]"
        if not _NAME.fullmatch(name):
            raise HarnessError(f"{here}: {name!r} is not a plain name (letters, digits, '.', "
                               "'_' and '-' only)")
        if not isinstance(spec, dict):
            raise HarnessError(f"{here}: must be a table with plugin = \"...\" and its options; "
                               f"got {spec!r}")
        plugin = spec.get("plugin")
        if not isinstance(plugin, str) or not plugin.strip():
            raise HarnessError(f"{here}: give plugin = \"NAME\" (the backend plugin: hf, "
                               "static, tf, ...)")
        options = spec.get("options", {})
        meta = spec.get("meta", {})
        for key, got in (("options", options), ("meta", meta)):
            if not isinstance(got, dict):
                raise HarnessError(f"{here}: {key} must be a table ({key} = {{...}}); "
                                   f"got {got!r}")
        inline = {k: v for k, v in spec.items() if k not in INSTANCE_KEYS}
        both = sorted(set(inline) & set(options))
        if both:
            raise HarnessError(f"{here}: option {both[0]!r} is given both inline and in "
                               "options: keep one")
        default = spec.get("default", True)
        if not isinstance(default, bool):
            raise HarnessError(f"{here}: default must be true or false; got {default!r}")
        description = spec.get("description", "")
        if not isinstance(description, str):
            raise HarnessError(f"{here}: description must be text; got {description!r}")
        out[name] = {"plugin": plugin.strip(), "options": {**options, **inline},
                     "meta": meta, "default": default, "description": description,
                     "where": here}
    return out
