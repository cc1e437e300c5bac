"""Deck loading and validation.

``load_config`` reads a TOML deck (or a dict), applies ``--set`` overrides,
picks the engine's pydantic model and validates it. Every failure becomes a
:class:`DeckError` whose message names the offending key (with a did-you-mean
suggestion for misspelt keys); the CLI prints it without a traceback.
"""
from __future__ import annotations

import difflib
import math
import re
import tomllib
import typing
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticUndefined

from ..engines.registry import engine_names, get_engine
from ..errors import DeckError
from .messages import MAX_SHOWN, shorten
from .setup_checks import validate_setup


def deck_model(engine: str) -> type[BaseModel]:
    """The pydantic deck model of ``engine`` (from the engine registry)."""
    if isinstance(engine, str) and len(engine) > MAX_SHOWN:
        raise DeckError(f"deck error at 'engine': unknown engine {shorten(engine)}")
    return get_engine(engine).deck


def _parse_value(text: str, key: str = "") -> Any:
    """A ``--set`` value is read as a TOML value when it is one, else as a string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text
    except ValueError:  # integer over Python's 4300-digit conversion limit
        raise DeckError(f"--set '{shorten(key)[1:-1]}': an integer of {len(text)} digits is far too large "
                        "for any deck value") from None


def apply_overrides(data: dict, overrides: list[str] | None) -> dict:
    """Apply ``section.key=value`` overrides to a raw deck dict (in place; returned)."""
    for item in overrides or []:
        if "=" not in item:
            raise DeckError(f"--set {shorten(item)}: expected section.key=value")
        key, text = item.split("=", 1)
        parts = [p for p in key.strip().split(".") if p]
        if not parts:
            raise DeckError(f"--set {shorten(item)}: empty key")
        node = data
        for p in parts[:-1]:
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):
                raise DeckError(f"--set {shorten(item)}: '{shorten(p)[1:-1]}' is a value, not a section")
            node = nxt
        node[parts[-1]] = _parse_value(text.strip(), key.strip())
    return data


def _submodels(ann) -> list[type[BaseModel]]:
    out, todo = [], [ann]
    while todo:
        a = todo.pop()
        if isinstance(a, type) and issubclass(a, BaseModel):
            out.append(a)
        else:
            todo.extend(typing.get_args(a))
    return out


def _model_at(model: type[BaseModel] | None, loc: tuple) -> type[BaseModel] | None:
    """Walk a model class along an error location to the sub-model that owns the last key.

    Discriminated unions put the tag (``kind``) into the location: it selects the member.
    """
    cands = [model] if model is not None else []
    for part in loc[:-1]:
        chosen = None
        for c in cands:
            if isinstance(part, str) and part in c.model_fields:
                chosen = _submodels(c.model_fields[part].annotation)
                break
        if chosen is None:
            tagged = [c for c in cands if "kind" in c.model_fields and c.model_fields["kind"].default == part]
            chosen = tagged or cands
        cands = chosen
    return cands[0] if cands else None


MAX_ERRORS = 10  # errors listed per deck; the rest are counted


def format_validation_error(exc: ValidationError, model: type[BaseModel], source: str = "deck") -> str:
    lines = []
    errors = exc.errors()
    for err in errors[:MAX_ERRORS]:
        loc = tuple(err["loc"])
        key = ".".join(str(p) for p in loc) or "(top level)"
        if len(key) > MAX_SHOWN:
            key = shorten(key)[1:-1]
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            owner = _model_at(model, loc)
            known = list(getattr(owner, "model_fields", {}) or [])
            hint = difflib.get_close_matches(str(loc[-1]), known, n=1)
            msg = "unknown key" + (f" — did you mean '{hint[0]}'?" if hint else "")
            if known:
                msg += f" (allowed here: {', '.join(known)})"
        elif err["type"] in ("union_tag_not_found", "union_tag_invalid"):
            ctx = err.get("ctx", {})
            tag_key = str(ctx.get("discriminator", "kind")).strip("'")
            tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",") if t.strip()]
            if err["type"] == "union_tag_not_found":
                msg = f"missing '{tag_key}'"
            else:
                hint = difflib.get_close_matches(str(ctx.get("tag")), tags, n=1)
                msg = f"unknown {tag_key} {shorten(ctx.get('tag'))}" + (f" — did you mean '{hint[0]}'?" if hint else "")
            if tags:
                msg += f" (choose from {', '.join(tags)})"
            key = f"{key}.{tag_key}"
        elif "input" in err and err["type"] not in ("missing",) and not isinstance(err["input"], dict):
            msg += f" (got {shorten(err['input'])})"
        msg = msg.replace("Value error, ", "")
        if len(msg) > 500:  # a safety net: no single message line echoes a huge value
            msg = shorten(msg, 500)[1:-1]
        lines.append(f"{source} error at '{key}': {msg}")
    if len(errors) > MAX_ERRORS:
        lines.append(f"{source}: … and {len(errors) - MAX_ERRORS} more errors")
    return "\n".join(lines)


def read_toml(path: str | Path, what: str = "deck file", prefix: str = "") -> dict:
    """Parse a TOML file; every failure is a :class:`DeckError` (``prefix`` names the referring key)."""
    path = Path(path)
    try:
        text = path.read_text()
        return tomllib.loads(text)
    except FileNotFoundError:
        raise DeckError(f"{prefix}{what} not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeckError(f"{path.name}: not valid TOML ({shorten(str(exc), 200)[1:-1]})") from None
    except ValueError:  # tomllib: an integer over Python's 4300-digit conversion limit
        raise DeckError(f"{path.name} error at '{_long_integer_key(text)}': an integer of more than 4300 digits "
                        "is far too large for any deck value") from None
    except OSError as exc:
        raise DeckError(f"{prefix}cannot read {what} {path}: {exc}") from None


def _long_integer_key(text: str) -> str:
    """``section.key`` of the first value in a TOML text that is an integer of over 4300 digits."""
    section = ""
    for line in text.splitlines():
        head = re.match(r"\s*\[+\s*([^\]]+?)\s*\]", line)
        if head:
            section = head.group(1).strip() + "."
            continue
        m = re.match(r"\s*([^=]+?)\s*=.*?[+-]?[0-9_]{4300,}", line)
        if m:
            return shorten(section + m.group(1).strip().strip('"'))[1:-1]
    return "(unknown key)"


def load_config(source: str | Path | dict, overrides: list[str] | None = None, *, check_setup: bool = True):
    """Read and validate a deck; return the engine's pydantic model instance.

    ``source`` is a path to a TOML file or an already-parsed dict. Raises
    :class:`DeckError` with a readable message on any problem. With ``check_setup``
    (default) the engine's set-up checks run too (:mod:`.setup_checks`: sizes, thermal
    equilibrium, flows, diffusion at the grid ends) — everything that can be known
    before a run starts; ``open_run`` turns them off to read back what was run.
    """
    if isinstance(source, dict):
        data = _deep_copy(source)
        name = "deck"
    else:
        path = Path(source)
        name = path.name
        data = read_toml(path)
    apply_overrides(data, overrides)
    if "engine" not in data and ("axes" in data or "base" in data):
        raise DeckError(f"{name} looks like a sweep file, not a deck: run it with `crescape sweep {name}`")
    if "engine" not in data and "sources" in data:
        raise DeckError(f"{name} looks like a fit config, not a deck: run it with `crescape fit local-spectrum {name}`")
    if not isinstance(source, dict):  # a deck file must say what it is: nothing is guessed
        _require_engine(data, name)
    engine = data.get("engine", "crhydro")  # decks built in Python default to crhydro
    if not isinstance(engine, str):
        raise DeckError(f"{name} error at 'engine': expected a string, got {shorten(engine)}")
    model = deck_model(engine)
    try:
        deck = model.model_validate(data)
    except ValidationError as exc:
        msg = format_validation_error(exc, model, name)
        if "engine" not in data:
            first, _, rest = msg.partition("\n")
            hint = f" [no 'engine' given: read as crhydro; choose from {', '.join(sorted(engine_names()))}]"
            msg = first + hint + ("\n" + rest if rest else "")
        raise DeckError(msg) from None
    except (ValueError, TypeError, OverflowError) as exc:  # raised by unit conversion outside pydantic
        raise DeckError(f"{name}: {shorten(str(exc), 300)[1:-1]}") from None
    _check_finite(deck, name)
    if check_setup:
        validate_setup(deck, name)
    return deck


def _require_engine(data: dict, name: str):
    """A deck file names its engine; an empty deck is an error, not a default 1 cm / 1 s run."""
    choices = " | ".join(f'"{e}"' for e in sorted(engine_names()))
    if not data:
        raise DeckError(f"{name} is empty: a deck needs at least engine = {choices} and its problem "
                        f"(see examples/*.toml; `crescape info ENGINE` lists every key)")
    if "engine" not in data:
        raise DeckError(f"{name} error at 'engine': missing; the first line of a deck names its engine: "
                        f"engine = {choices}")


def _check_finite(node, source: str, prefix: str = ""):
    """Reject NaN/Inf numbers the user set (TOML ``nan``/``inf``, ``"1e400 pc"``).

    Non-finite field defaults declared by an engine are left alone.
    """
    for fname, field in type(node).model_fields.items():
        val = getattr(node, fname, None)
        key = f"{prefix}{fname}"
        vals = val if isinstance(val, (list, tuple)) else [val]
        for i, v in enumerate(vals):
            k = f"{key}[{i}]" if isinstance(val, (list, tuple)) else key
            if isinstance(v, BaseModel):
                _check_finite(v, source, f"{k}.")
            elif isinstance(v, float) and not math.isfinite(v):
                default = field.default
                if isinstance(default, float) and math.isinf(default) and default == v:
                    continue
                raise DeckError(f"{source} error at '{k}': must be a finite number (got {v!r})")


def _deep_copy(d):
    if isinstance(d, dict):
        return {k: _deep_copy(v) for k, v in d.items()}
    if isinstance(d, (list, tuple)):
        return [_deep_copy(v) for v in d]
    if hasattr(d, "dtype") and hasattr(d, "tolist"):  # numpy scalars and arrays built in Python
        return _deep_copy(d.tolist())
    return d


def resolved_dict(deck: BaseModel) -> dict:
    """The fully resolved deck as plain data (every default written out, CGS)."""
    return deck.model_dump(mode="json", exclude_none=True)


def dump_toml(deck: BaseModel) -> str:
    return tomli_w.dumps(resolved_dict(deck))


class _Required:
    """Marker of a parameter without default (printed as ``required`` by ``crescape info``)."""

    def __repr__(self):
        return "required"


REQUIRED = _Required()


def iter_parameters(model: type[BaseModel], prefix: str = "", parent_desc: str = ""):
    """Yield (key, default, unit, description) for every parameter of a deck model.

    Required parameters have the default ``REQUIRED``. A sub-table's ``value`` entry (fit
    parameters ``{value, free, min, max}``) inherits the description of the table itself.
    """

    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        ann = field.annotation
        subs = [a for a in (ann, *typing.get_args(ann)) if isinstance(a, type) and issubclass(a, BaseModel)]
        for a in typing.get_args(ann):
            subs += [b for b in typing.get_args(a) if isinstance(b, type) and issubclass(b, BaseModel)]
        if subs:
            for sub in subs:
                tag = ""
                kf = sub.model_fields.get("kind")
                if kf is not None and len(subs) > 1:
                    tag = f"[kind={kf.default}]"
                yield from iter_parameters(sub, f"{key}{tag}.", field.description or "")
            continue
        extra = field.json_schema_extra or {}
        unit = extra.get("unit", "") if isinstance(extra, dict) else ""
        default = field.get_default(call_default_factory=True)
        if default is PydanticUndefined:
            default = REQUIRED
        desc = field.description or ""
        if name == "value" and parent_desc and desc in ("", "value"):
            desc = parent_desc
        yield key, default, unit, desc
