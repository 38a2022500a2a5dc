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
        """A new empty database for this engine (raises TargetUnavailable with the reason)."""
        return self.audit.throwaway().create(self.engine)

    def availability(self) -> str:
        return self.audit.throwaway().availability(self.engine)
