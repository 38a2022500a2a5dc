"""Shared steps of the infrastructure rules: which declared stores a rule can judge."""

from __future__ import annotations

from ..sources.inventory import Inventory, Store, inventory_of


def relational(repo) -> tuple[Inventory, list[Store]]:
    inv = inventory_of(repo)
    stores = [s for s in inv.stores if s.kind == "relational"]
    return inv, stores


def cloud_stores(repo, ctx, *clouds: str, kinds: tuple[str, ...] = ("relational",)) -> list[Store]:
    """Managed database stores declared in Terraform, noting what could not be parsed."""
    inv = inventory_of(repo)
    for err in inv.errors:
        ctx.note(err)
    return [s for s in inv.stores if s.source == "terraform" and s.settings.get("cloud") in clouds
            and s.kind in kinds]


def region(store: Store) -> str | None:
    """The store's region, or None when it is decided at plan time or by the environment."""
    value = store.settings.get("region")
    return str(value) if value is not None else None


def region_unknown(store: Store) -> str:
    """Why the region is not known, for an "unknown" reason."""
    if "region" in store.unknown:
        return f"{store.name}: region = {store.unknown['region']}"
    return f"{store.name}: no region in the resource or its provider (it comes from the environment)"
