"""Drills: exercises run on throwaway databases that the run creates itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class DrillSubject:
    """What a drill check receives: its engine, the repository, and fresh databases on demand."""

    engine: str
    audit: Any

    @property
    def repo(self):
        return self.audit.repository()

    def fresh_database(self):
        """A new empty database for this engine.

        With no container engine, no configured server (and, for SQLite, nothing needed) the drill
        cannot run here: it is not applicable, with the reason, as the design prescribes.
        """
        from ..outcomes import NotApplicable, TargetUnavailable

        try:
            return self.audit.throwaway().create(self.engine)
        except TargetUnavailable as exc:
            raise NotApplicable(str(exc)) from None

    def release(self, db) -> None:
        """Drop a database from ``fresh_database`` now (else it is dropped at the end of the run)."""
        self.audit.throwaway().drop(db)

    def availability(self) -> str:
        return self.audit.throwaway().availability(self.engine)
