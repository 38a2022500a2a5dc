"""Backup & recovery checks."""

from __future__ import annotations

import re

from ..outcomes import Finding, Undecided, verdict
from ..registry import check
from ..sources.environments import environment_of
from ..sources.inventory import inventory_of, module_of
from ._iac import cloud_stores


@check("BR-03", "static")
def retention_and_final_snapshot(repo, ctx):
    """RDS/Aurora: retention >= policy, a final snapshot, deletion protection."""
    minimum = ctx.threshold("min_retention_days")
    findings, undecided = [], []
    others = [s for s in inventory_of(repo).stores if s.source == "terraform" and s.kind == "relational"
              and s.settings.get("cloud") in ("gcp", "azure")]
    for s in others:
        days = s.settings.get("backup_retention_days")
        if s.settings["cloud"] == "gcp" and not s.settings.get("backups_enabled"):
            findings.append(Finding(f"{s.name}: automated backups are not enabled (backup_configuration.enabled)",
                                    location=s.declared[0], observed=False, expected=True))
        elif "backup_retention_days" in s.unknown:
            undecided.append(f"{s.name}.backup_retention_days = {s.unknown['backup_retention_days']}")
        elif days is not None and int(days) < minimum:
            findings.append(Finding(f"{s.name}: backups are kept {days} day(s)", location=s.declared[0],
                                    observed=days, expected=f">= {minimum} days"))
        else:
            ctx.note(f"{s.name} ({s.declared[0]}): backups on, retention {days if days is not None else 'provider default (7)'}")
    for s in inventory_of(repo).stores:  # data that does not survive its container or pod
        if s.kind == "relational" and (s.settings.get("ephemeral_data") or
                                       (s.source == "compose" and not s.settings.get("persistent_volume"))):
            # Throwaway data is normal for local development and tests: still shown, at Low.
            disposable = s.source == "compose" or \
                (environment_of(str(s.settings.get("environment") or s.declared[0])) in ("development", "test"))
            findings.append(Finding(
                f"{s.name}: the data lives in the container ({'emptyDir' if s.source in ('kubernetes', 'helm') else 'no volume'})"
                ": removing it removes the database", location=s.declared[0], observed="ephemeral storage",
                expected="a persistent volume (volumeClaimTemplates / a named volume)",
                severity="Low" if disposable else None))
    stores = cloud_stores(repo, ctx, "aws")
    for s in stores:
        where = s.declared[0]
        for key in ("backup_retention_days", "skip_final_snapshot", "deletion_protection"):
            if key in s.unknown:
                undecided.append(f"{s.name}.{key} = {s.unknown[key]}")
        days = s.settings.get("backup_retention_days")
        if "backup_retention_days" not in s.unknown:
            if days is None:
                findings.append(Finding(f"{s.name}: backup_retention_period is not set (provider default: 0-1 day)",
                                        location=where, observed="not set", expected=f">= {minimum} days"))
            elif int(days) < minimum:
                findings.append(Finding(f"{s.name}: backups are kept {days} day(s)", location=where,
                                        observed=days, expected=f">= {minimum} days"))
        if s.settings.get("skip_final_snapshot") is True:
            findings.append(Finding(f"{s.name}: skip_final_snapshot = true: deleting the instance deletes its data",
                                    location=where, observed=True, expected=False))
        if "deletion_protection" not in s.unknown and s.settings.get("deletion_protection") is not True:
            findings.append(Finding(f"{s.name}: deletion_protection is not enabled", location=where,
                                    observed=s.settings.get("deletion_protection"), expected=True))
        ctx.note(f"{s.name} ({where}): retention {days}, skip_final_snapshot {s.settings.get('skip_final_snapshot')}, "
                 f"deletion_protection {s.settings.get('deletion_protection')}")
    return verdict(findings, undecided, len(stores) + len(others), "no RDS, Aurora, Cloud SQL or Azure database is "
                   "declared in Terraform; retention of other stores is not readable from the repository", ctx)


_ARCHIVING = re.compile(r"archive_mode\s*[=:]\s*['\"]?(on|always)|\blog[-_]bin\b(?!\s*[=:]\s*['\"]?(off|0))", re.IGNORECASE)
_FULL_TOOLS = re.compile(r"wal-g|pgbackrest|barman|xtrabackup|mariabackup|mariadb-backup|velero", re.IGNORECASE)
_DUMPS = re.compile(r"\b(pg_dump|pg_dumpall|mysqldump|mariadb-dump)\b")
_CONFIG_FILES = ("postgresql.conf", "my.cnf", "mysqld.cnf", "pgbackrest.conf", "barman.conf")


@check("BR-02", "static")
def full_plus_continuous_archiving(repo, ctx):
    """Full backups (WAL-G, pgBackRest, Barman, XtraBackup, operator backups) plus WAL/binlog archiving,
    or a managed service's point-in-time recovery."""
    from ..sources.compose import compose_of

    full, archiving, dumps = [], [], []
    for svc in compose_of(repo).services:
        text = f"{svc.image or ''} {svc.command} {' '.join(svc.environment.values())}"
        if _FULL_TOOLS.search(text):
            full.append(f"{svc.location} ({svc.name})")
        if _ARCHIVING.search(svc.command):
            archiving.append(f"{svc.location} ({svc.name} command)")
        if _DUMPS.search(text):
            dumps.append(svc.location)
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if name in _CONFIG_FILES or name.endswith((".sh", ".cron")) or name == "crontab":
            text = repo.text(rel) or ""
            if _ARCHIVING.search(text):
                archiving.append(rel)
            if name in ("pgbackrest.conf", "barman.conf") or _FULL_TOOLS.search(text):
                full.append(rel)
            if _DUMPS.search(text):
                dumps.append(rel)
    managed = []
    for s in inventory_of(repo).stores:
        if s.source == "terraform" and s.settings.get("pitr"):
            managed.append(f"{s.name}: point-in-time recovery enabled")
        if s.source == "terraform" and s.settings.get("cloud") == "azure" and s.kind == "relational":
            managed.append(f"{s.name}: Azure flexible servers keep point-in-time recovery")
        if s.source == "terraform" and s.settings.get("cloud") == "aws" and s.kind == "relational":
            days = s.settings.get("backup_retention_days")
            if isinstance(days, int) and days >= 1:
                managed.append(f"{s.name}: automated backups with point-in-time recovery ({days} days)")
        if s.settings.get("operator") and s.settings.get("backup"):
            full.append(f"{s.declared[0]} ({s.settings['operator']} backup)")
            archiving.append(f"{s.declared[0]} ({s.settings['operator']} archives WAL with its backups)")
    for line in full + archiving + managed:
        ctx.note(line)
    if managed or (full and archiving):
        return []
    if dumps and not archiving:
        return [Finding("backups are logical dumps only: everything written since the last dump is lost",
                        location=dumps[0], observed="pg_dump/mysqldump", expected="full backups plus continuous "
                        "WAL/binlog archiving (WAL-G, pgBackRest, Barman) or managed PITR")]
    if full and not archiving:
        return [Finding("a backup tool is configured but WAL/binlog archiving is not switched on", location=full[0],
                        observed="archive_mode off", expected="archive_mode = on with archive_command (or log_bin)")]
    raise Undecided("no backup tooling, WAL/binlog archiving or managed point-in-time recovery is declared in the "
                    "files read (compose, Kubernetes operators, Terraform, postgresql.conf, my.cnf, cron scripts)")


_OBJECT_STORE = re.compile(r"repo\d+-type\s*=\s*(s3|gcs|azure)|WALG_(S3|GS|AZ|SWIFT)_PREFIX|barman-cloud|"
                           r"barmanObjectStore|destinationPath:\s*['\"]?(s3|gs|https)://", re.IGNORECASE)
_MULTI_REGIONS = {"us", "eu", "asia"}


def _self_hosted_offsite(repo) -> list[str]:
    """Backups written to object storage by pgBackRest, WAL-G, Barman or an operator."""
    from ..sources.compose import compose_of

    found = []
    for svc in compose_of(repo).services:
        if _OBJECT_STORE.search(" ".join(f"{k}={v}" for k, v in svc.environment.items())):
            found.append(f"{svc.location} ({svc.name})")
    for rel in repo.files:
        name = rel.rsplit("/", 1)[-1]
        if name in ("pgbackrest.conf", "barman.conf") or name.endswith((".yaml", ".yml", ".sh", ".env")):
            m = _OBJECT_STORE.search(repo.text(rel) or "")
            if m:
                found.append(f"{rel} ({m.group(0).strip()})")
    return found


@check("BR-09", "static")
def offsite_backup_copy(repo, ctx):
    """A copy of each managed primary's backups in another region: RDS automated backups replication, Azure
    geo-redundant backups, Cloud SQL backups in a multi-region location (its default)."""
    from ._iac import region, region_unknown

    findings, undecided, judged = [], [], 0
    stores = cloud_stores(repo, ctx, "aws", "gcp", "azure")
    for s in stores:
        if s.settings.get("replica_of"):
            continue  # a replica's backups are its primary's concern
        where, cloud = s.declared[0], s.settings["cloud"]
        if cloud == "aws":
            copies = s.settings.get("backup_copies") or []
            home = region(s)
            group = s.settings.get("global_cluster")
            members = [m for m in stores if group and m.settings.get("global_cluster") == group
                       and module_of(m) == module_of(s)]
            if home and len({region(m) for m in members} - {None}) > 1:
                judged += 1
                ctx.note(f"{s.name} ({where}): Aurora Global Database {group}: each region's cluster keeps its own "
                         "backups")
                continue
            if any(c["region"] == "(plan time)" for c in copies) or (copies and home is None):
                undecided.append(region_unknown(s) if home is None else f"{s.name}: backup copy region unresolved")
                continue
            remote = [c for c in copies if c["region"] != home]
            judged += 1
            if remote:
                ctx.note(f"{s.name} ({where}): backups copied to "
                         + ", ".join(f"{c['region']} ({c.get('via', 'automated backups replication')}, "
                                     f"{c['declared']})" for c in remote))
            else:
                findings.append(Finding(f"{s.name}: backups stay in the instance's region"
                                        + (f" ({home})" if home else ""), location=where,
                                        observed="no cross-region copy",
                                        expected="aws_db_instance_automated_backups_replication (or an AWS "
                                                 "Backup copy rule) to another region"))
        elif cloud == "gcp":
            location = s.settings.get("backup_location")
            if "backup_location" in s.unknown:
                undecided.append(f"{s.name}: backup_configuration.location = {s.unknown['backup_location']}")
                continue
            if s.settings.get("backups_enabled") and location is not None and \
                    str(location).lower() not in _MULTI_REGIONS and region(s) is None:
                undecided.append(region_unknown(s))
                continue
            judged += 1
            if not s.settings.get("backups_enabled"):
                findings.append(Finding(f"{s.name}: automated backups are off, so there is no off-site copy",
                                        location=where, observed=False, expected="backup_configuration.enabled"))
            elif location is not None and location == region(s):
                findings.append(Finding(f"{s.name}: backups pinned to the instance's own region {location}",
                                        location=where, observed=location, expected="a multi-region location "
                                        "(us, eu, asia) or another region"))
            else:
                ctx.note(f"{s.name} ({where}): backups stored in "
                         + (f"{location}" if location else "the nearest multi-region (Cloud SQL's default)"))
        else:
            if "geo_redundant_backup" in s.unknown:
                undecided.append(f"{s.name}.geo_redundant_backup_enabled = {s.unknown['geo_redundant_backup']}")
                continue
            judged += 1
            if s.settings.get("geo_redundant_backup") is True:
                ctx.note(f"{s.name} ({where}): geo-redundant backups")
            else:
                findings.append(Finding(f"{s.name}: geo_redundant_backup_enabled is not true", location=where,
                                        observed=s.settings.get("geo_redundant_backup"), expected=True))
    object_store = _self_hosted_offsite(repo)
    if not findings and not undecided and not judged and object_store:
        raise Undecided("backups go to object storage (" + "; ".join(object_store[:3]) + "); whether that bucket "
                        "is in another region or account is not in the repository: attest it")
    for line in object_store:
        ctx.note(f"backups to object storage: {line}")
    return verdict(findings, undecided, judged, "no managed database is declared in Terraform and no backup "
                   "tool writes to object storage", ctx)
