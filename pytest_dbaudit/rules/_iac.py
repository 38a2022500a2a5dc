"""Shared steps of the infrastructure rules: which declared stores a rule can judge."""

from __future__ import annotations

from ..outcomes import NotApplicable
from ..sources.inventory import Inventory, Store, inventory_of


def relational(repo) -> tuple[Inventory, list[Store]]:
    inv = inventory_of(repo)
    stores = [s for s in inv.stores if s.kind == "relational"]
    return inv, stores


def cloud_stores(repo, ctx, *clouds: str) -> list[Store]:
    """Managed database stores declared in Terraform, noting what could not be parsed."""
    inv = inventory_of(repo)
    for err in inv.errors:
        ctx.note(err)
    return [s for s in inv.stores if s.source == "terraform" and s.settings.get("cloud") in clouds
            and s.kind == "relational"]


def require_any_store(repo) -> None:
    if not inventory_of(repo).stores:
        raise NotApplicable("the repository declares no data store in docker-compose or Terraform")
