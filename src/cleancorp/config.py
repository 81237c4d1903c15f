"""Settings from a TOML file and ``CLEANCORP_*`` environment variables.

Precedence, lowest first: built-in defaults, the config file (``--config FILE``, else
``cleancorp.toml`` in the working folder), environment variables, command-line flags.

A config file holds the run settings at top level, and may add boilerplate rules in the
catalog's own format (``[fragments]`` and ``[[rule]]`` tables)::

    threshold = 0.7          # dedup: Jaccard at which two bodies are one story
    jobs = 2
    disable = ["caption"]    # these categories' rules never fire
    keep = ["byline"]        # blocks named with these categories are kept, wherever they stand

    [[rule]]
    id = "my_site_footer"
    category = "copyright_notice"
    pattern = '^all content © my site'

>>> settings = parse_settings({"threshold": 0.8, "keep": ["caption"]}, "cleancorp.toml")
>>> settings["threshold"], settings["keep"]
(0.8, ('caption',))
>>> from_environment({"CLEANCORP_NUM_PERM": "64", "CLEANCORP_KEEP": "caption,byline", "HOME": "/"})
{'keep': ('byline', 'caption'), 'num_perm': 64}
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .catalog import CATEGORIES
from .failpoints import ENVIRONMENT as FAILPOINT_VARIABLE

CONFIG_NAME = "cleancorp.toml"
ENV_PREFIX = "CLEANCORP_"
CATALOG_TABLES = ("rule", "fragments")

# Every setting, with the type its value must have. Lists of categories become sorted tuples.
SETTINGS: dict[str, type] = {
    "threshold": float,
    "containment": float,
    "num_perm": int,
    "shingle_size": int,
    "keep_duplicates": bool,
    "max_bytes": int,
    "jobs": int,
    "disable": tuple,
    "keep": tuple,
    "catalog": Path,
    "executor": str,
    "scheduler": str,
    "batch_size": int,
}
CHOICES = {"executor": ("local", "dask")}


class ConfigError(ValueError):
    """A setting is unknown or has the wrong type; the message names the file and the key."""


def _categories(value: Any, where: str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f"{where}: expected a list of category names")
    names = tuple(sorted({i.strip() for i in items if i.strip()}))
    unknown = [n for n in names if n not in CATEGORIES]
    if unknown:
        raise ConfigError(f"{where}: unknown category {unknown[0]!r}; use one of {', '.join(CATEGORIES)}")
    return names


def _convert(key: str, value: Any, where: str, base: Path) -> Any:
    kind = SETTINGS[key]
    if kind is tuple:
        return _categories(value, where)
    if kind is Path:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a file path")
        path = Path(value)
        return path if path.is_absolute() else base / path
    if kind is bool:
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "0", "false", "no"):
            return value.lower() in ("1", "true", "yes")
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConfigError(f"{where}: expected a {kind.__name__}")
    try:
        converted = kind(value)
    except ValueError:
        raise ConfigError(f"{where}: expected a {kind.__name__}, not {value!r}") from None
    if kind is int and isinstance(value, float) and value != converted:
        raise ConfigError(f"{where}: expected a whole number, not {value!r}")
    if key in CHOICES and converted not in CHOICES[key]:
        raise ConfigError(f"{where}: expected one of {', '.join(CHOICES[key])}, not {value!r}")
    return converted


def parse_settings(data: Mapping[str, Any], source: str, base: Path = Path(".")) -> dict[str, Any]:
    """The run settings of a parsed config file (its catalog tables are read by the catalog)."""
    settings: dict[str, Any] = {}
    for key, value in data.items():
        if key in CATALOG_TABLES:
            continue
        name = key.replace("-", "_")
        if name not in SETTINGS:
            raise ConfigError(f"{source}: unknown setting {key!r}; known: {', '.join(SETTINGS)}")
        settings[name] = _convert(name, value, f"{source}: {key}", base)
    return settings


def read_config(path: Path) -> tuple[dict[str, Any], bool]:
    """The settings of a config file, and whether it also adds catalog rules."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    return parse_settings(data, str(path), path.parent), any(t in data for t in CATALOG_TABLES)


def find_config(explicit: Path | None, folder: Path | None = None) -> Path | None:
    """``--config FILE`` if given, else ``cleancorp.toml`` in ``folder`` (the working folder)."""
    if explicit is not None:
        return explicit
    candidate = (folder or Path.cwd()) / CONFIG_NAME
    return candidate if candidate.is_file() else None


NOT_SETTINGS = frozenset({FAILPOINT_VARIABLE})  # CLEANCORP_* variables that are not run settings


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings given as ``CLEANCORP_THRESHOLD=0.8`` and so on (lists comma-separated)."""
    settings: dict[str, Any] = {}
    for variable, value in sorted(environ.items()):
        if not variable.startswith(ENV_PREFIX) or variable in NOT_SETTINGS:
            continue
        name = variable[len(ENV_PREFIX) :].lower()
        if name not in SETTINGS:
            raise ConfigError(
                f"environment variable {variable}: unknown setting; known: "
                + ", ".join(ENV_PREFIX + k.upper() for k in SETTINGS)
            )
        settings[name] = _convert(name, value, f"environment variable {variable}", Path.cwd())
    return settings
