"""A TOML file of defaults for CLI options, applied through the root context's ``default_map``.

Lookup, first hit wins: ``--config PATH`` (or ``CAUSALBRIDGE_CONFIG``), ``./causalbridge.toml``, then
``$XDG_CONFIG_HOME/causalbridge/config.toml`` (``~/.config/...`` by default). An explicit path must exist.

Top-level keys are defaults for every command with an option of that name; a table named after a command or group
(``[discover]``, ``[bench.run]``) sets defaults below it only, and the innermost table wins. Keys are option names
with dashes or underscores (``cache-dir``, ``cache_dir``, ``out`` for ``--out``); options typed on the command line
still win. Bad files and unknown keys raise :class:`~causalbridge.errors.InputError` naming the file and the key.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup, TyperOption

from causalbridge.errors import InputError

ENV_VAR = "CAUSALBRIDGE_CONFIG"
LOCAL_FILE = "causalbridge.toml"


def find_config(explicit: Path | None) -> Path | None:
    """The config file to use: ``explicit`` (which must exist), else the first implicit one that exists."""
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(f"no such config file (given by --config or ${ENV_VAR})", where=str(explicit))
        return explicit
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    for candidate in (Path(LOCAL_FILE), Path(xdg) / "causalbridge" / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


def read_config(path: Path) -> dict[str, Any]:
    """The parsed TOML; syntax errors name the file, line and column."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", where=str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the config file: {exc}", where=str(path)) from exc


def _key(name: str) -> str:
    return name.replace("-", "_")


def _options(command: object) -> dict[str, TyperOption]:
    """Config keys a command accepts: each option's long flag (``out`` for ``--out``) and its parameter name."""
    params = [p for p in getattr(command, "params", []) if isinstance(p, TyperOption) and not p.is_eager]
    found = {_key(opt[2:]): param for param in params for opt in param.opts if opt.startswith("--")}
    found.update({param.name: param for param in params})
    return found


def _subcommands(command: object) -> dict[str, object]:
    return dict(command.commands) if isinstance(command, TyperGroup) else {}


def _subtree_keys(command: object) -> set[str]:
    keys = set(_options(command))
    for sub in _subcommands(command).values():
        keys |= _subtree_keys(sub)
    return keys


Level = tuple[str, dict[str, Any]]  # (section name, "" at the top; its key = value pairs)


class _Builder:
    """Turns the parsed file into a nested ``default_map``, checking every key and value on the way."""

    def __init__(self, ctx: typer.Context, path: Path) -> None:
        self.ctx = ctx
        self.where = str(path)

    def fail(self, message: str) -> InputError:
        return InputError(message, where=self.where)

    def build(self, command: object, table: dict[str, Any], section: str, inherited: list[Level]) -> dict[str, Any]:
        """The ``default_map`` of ``command`` from its ``table`` and the enclosing tables (outermost first)."""
        values = {k: v for k, v in table.items() if not isinstance(v, dict)}
        known = _subtree_keys(command)
        subcommands = _subcommands(command)
        for key in values:
            if _key(key) not in known:
                if not section:
                    raise self.fail(f"no command has an option {key!r}")
                if subcommands:
                    raise self.fail(f"no command in table {section!r} has an option {key!r}")
                raise self.fail(f"table {section!r} has no option {key!r}")
        levels = [*inherited, (section, values)]
        result = self.own_defaults(command, levels)
        tables = {_key(k): (k, v) for k, v in table.items() if isinstance(v, dict)}
        for key, (written, _) in tables.items():
            if key not in {_key(name) for name in subcommands}:
                full = f"{section}.{written}" if section else written
                raise self.fail(f"table {full!r} is not a command (known: {', '.join(subcommands) or 'none'})")
        for name, sub in subcommands.items():
            subtable = tables.get(_key(name), ("", {}))[1]
            result[name] = self.build(sub, subtable, f"{section}.{name}" if section else name, levels)
        return result

    def own_defaults(self, command: object, levels: list[Level]) -> dict[str, Any]:
        """This command's own option defaults; an inner table overrides an outer one."""
        options = _options(command)
        defaults: dict[str, Any] = {}
        for section, values in levels:
            seen: dict[str, str] = {}
            for key, value in values.items():
                param = options.get(_key(key))
                if param is None:
                    continue
                if param.name in seen:
                    label = f"table {section!r}" if section else "the top level"
                    raise self.fail(f"{label} sets {param.opts[0]} twice ({seen[param.name]!r} and {key!r})")
                seen[param.name] = key
                defaults[param.name] = self.checked(param, value, f"table {section!r}: {key}" if section else key)
        return defaults

    def checked(self, param: TyperOption, value: Any, where: str) -> Any:
        """``value`` as the option's default; a value the option would reject fails here, naming the key."""
        if param.multiple and not isinstance(value, list):
            value = [value]
        if param.callback is None:
            try:
                param.process_value(self.ctx, value)
            except typer.BadParameter as exc:
                raise self.fail(f"{where} = {value!r}: {exc.message}") from exc
        return value


def apply_config(ctx: typer.Context, explicit: Path | None) -> Path | None:
    """Find, read and check the config file and install it as ``ctx.default_map``; return the file used."""
    path = find_config(explicit)
    if path is None:
        return None
    ctx.default_map = _Builder(ctx, path).build(ctx.command, read_config(path), "", [])
    return path
