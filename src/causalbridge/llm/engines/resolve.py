"""Finding a local model's files from a path or a Hugging Face id, without ever touching the network.

causalbridge must work offline, and a silent multi-gigabyte download in the middle of a study is a surprise no
user wants, so a model id is looked up only in the local Hugging Face cache (``HF_HUB_CACHE`` / ``HF_HOME``);
a miss is an error that says how to fetch the model deliberately.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from causalbridge.errors import InputError

_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


@dataclass(frozen=True)
class ModelLocation:
    """Where a model's files are: ``directory`` for ``from_pretrained`` and, for a GGUF model, the file in it.

    ``model_id`` is a stable, machine-independent name (the hub id, or the file or folder name) for cache keys
    and reports; ``key`` is the real path, so the same files reached by two names are loaded once.
    """

    directory: Path
    gguf_file: str | None
    model_id: str

    @property
    def key(self) -> str:
        target = self.directory / self.gguf_file if self.gguf_file else self.directory
        return str(target.resolve())


def locate_model(path_or_id: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None) -> ModelLocation:
    """Resolve a model directory, a ``.gguf`` file, or a hub id found in the local cache.

    A directory must hold a ``config.json`` (a transformers checkpoint) or exactly one ``.gguf`` file.
    """
    raw = os.fspath(path_or_id)
    where = f"model {raw!r}"
    path = Path(raw).expanduser()
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise InputError("a model file must be a .gguf file; pass a checkpoint's folder instead", where=where)
        return ModelLocation(path.parent, path.name, path.name)
    if path.is_dir():
        return _from_directory(path, path.resolve().name, where)
    if _looks_like_path(raw):
        raise InputError("no such file or directory", where=where)
    if not _REPO_ID.match(raw):
        raise InputError("not a file, a folder, or a Hugging Face model id like 'org/name'", where=where)
    snapshot = _cached_snapshot(raw, cache_dir, where)
    return _from_directory(snapshot, raw, where)


def _looks_like_path(raw: str) -> bool:
    """A hub id has at most one slash and no file suffix; anything else was meant as a path that is missing."""
    return raw.startswith((".", "/", "~")) or raw.lower().endswith(".gguf") or "\\" in raw or raw.count("/") > 1


def _from_directory(directory: Path, model_id: str, where: str) -> ModelLocation:
    if (directory / "config.json").is_file():
        return ModelLocation(directory, None, model_id)
    ggufs = sorted(p.name for p in directory.glob("*.gguf"))
    if len(ggufs) == 1:
        return ModelLocation(directory, ggufs[0], model_id if model_id != directory.name else ggufs[0])
    if ggufs:
        names = ", ".join(ggufs[:8]) + (", ..." if len(ggufs) > 8 else "")
        raise InputError(f"the folder holds several GGUF files ({names}); pass the path of one", where=where)
    raise InputError("the folder holds neither a config.json nor a .gguf file", where=where)


def _cached_snapshot(repo_id: str, cache_dir: str | os.PathLike[str] | None, where: str) -> Path:
    """The cached snapshot folder of ``repo_id``; ``local_files_only`` makes the hub client read the cache only."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        folder = os.fspath(cache_dir) if cache_dir is not None else None
        found = snapshot_download(repo_id, cache_dir=folder, local_files_only=True)
    except (LocalEntryNotFoundError, FileNotFoundError, ValueError) as exc:
        cache = os.fspath(cache_dir) if cache_dir else _default_cache()
        raise InputError(
            f"not in the local Hugging Face cache ({cache}); causalbridge never downloads models. "
            f"Fetch it once with `hf download {repo_id}` (or pass a local path)",
            where=where,
        ) from exc
    return Path(str(found))


def _default_cache() -> str:
    from huggingface_hub import constants

    return str(constants.HF_HUB_CACHE)
