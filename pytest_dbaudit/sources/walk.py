"""Walk a repository once: .gitignore-aware, vendored/generated folders skipped, no symlink loops.

Every file's text is read at most once per run and shared by all checks (``Repository.text``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

# Dependency, build and tool folders: never the project's own configuration.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "node_modules", "bower_components", "vendor", "third_party", ".venv", "venv",
    "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", "site-packages",
    "build", "dist", "target", "out", ".next", ".nuxt", ".svelte-kit", ".terraform", ".terragrunt-cache",
    ".gradle", ".idea", ".vscode", "coverage", "htmlcov", ".cache", ".serverless", ".aws-sam", "Pods",
})
MAX_FILE_BYTES = 1_000_000
MAX_FILES = 200_000


@dataclass
class WalkStats:
    files: int = 0
    skipped_large: list[str] = field(default_factory=list)
    skipped_binary: int = 0
    unreadable: list[str] = field(default_factory=list)
    ignored_dirs: int = 0
    truncated: bool = False


class Repository:
    """The files of the audited repository and their text, read lazily and once."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.stats = WalkStats()
        self.files: list[str] = []  # posix paths relative to root, sorted
        self._text: dict[str, str | None] = {}
        self._walk()
        self._models: dict[str, object] = {}

    # -- walking -------------------------------------------------------------------------------
    def _load_ignore(self, directory: Path) -> pathspec.PathSpec | None:
        gi = directory / ".gitignore"
        if not gi.is_file():
            return None
        try:
            lines = gi.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return None
        return pathspec.GitIgnoreSpec.from_lines(lines)

    def _walk(self) -> None:
        root = self.root
        stack: list[tuple[Path, list[tuple[str, pathspec.PathSpec]]]] = [(root, [])]
        out: list[str] = []
        while stack:
            directory, specs = stack.pop()
            rel_dir = directory.relative_to(root).as_posix()
            rel_dir = "" if rel_dir == "." else rel_dir
            own = self._load_ignore(directory)
            if own is not None:
                specs = specs + [(rel_dir, own)]
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError as exc:
                self.stats.unreadable.append(f"{rel_dir or '.'}: {exc.strerror}")
                continue
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_link = entry.is_symlink()
                except OSError:
                    continue
                if is_dir:
                    if entry.name in SKIP_DIRS or _ignored(specs, rel, True):
                        self.stats.ignored_dirs += 1
                        continue
                    stack.append((Path(entry.path), specs))
                    continue
                if is_link:
                    # A link to a file inside the repository is read; links out of it or to
                    # folders are not followed (that is how loops and foreign trees get in).
                    try:
                        target = Path(entry.path).resolve(strict=True)
                    except (OSError, RuntimeError):
                        continue
                    if not target.is_file() or root not in target.parents:
                        continue
                elif not entry.is_file(follow_symlinks=False):
                    continue
                if _ignored(specs, rel, False):
                    continue
                out.append(rel)
                if len(out) >= MAX_FILES:
                    self.stats.truncated = True
                    stack.clear()
                    break
        out.sort()
        self.files = out
        self.stats.files = len(out)

    # -- reading -------------------------------------------------------------------------------
    def path(self, rel: str) -> Path:
        return self.root / rel

    def text(self, rel: str) -> str | None:
        """The file's text, or None if it is large, binary or unreadable (recorded in stats)."""
        if rel in self._text:
            return self._text[rel]
        path = self.root / rel
        value: str | None = None
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.stats.skipped_large.append(rel)
            else:
                data = path.read_bytes()
                if b"\0" in data[:8192]:
                    self.stats.skipped_binary += 1
                else:
                    value = data.decode("utf-8", errors="replace")
        except OSError as exc:
            self.stats.unreadable.append(f"{rel}: {exc.strerror}")
        self._text[rel] = value
        return value

    def under(self, prefix: str) -> list[str]:
        """The files whose path starts with ``prefix`` (``files`` is sorted: a binary search, not a scan)."""
        from bisect import bisect_left

        out = []
        for rel in self.files[bisect_left(self.files, prefix):]:
            if not rel.startswith(prefix):
                break
            out.append(rel)
        return out

    def by_name(self, *names: str) -> list[str]:
        wanted = set(names)
        return [f for f in self.files if f.rsplit("/", 1)[-1] in wanted]

    def models(self) -> dict[str, object]:
        return dict(self._models)

    def built(self, name: str):
        """A shared model if some check already built it, else None (never builds)."""
        return self._models.get(name)

    def model(self, name: str, build):
        """A parsed model shared by every check (parse once, check many)."""
        if name not in self._models:
            self._models[name] = build(self)
        return self._models[name]


def _ignored(specs: list[tuple[str, pathspec.PathSpec]], rel: str, is_dir: bool) -> bool:
    ignored = False
    for base, spec in specs:
        sub = rel[len(base) + 1:] if base else rel
        if is_dir:
            sub += "/"
        # Later (deeper) .gitignore files override earlier ones, as git does.
        res = spec.check_file(sub)
        if res.include is not None:
            ignored = res.include
    return ignored


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
