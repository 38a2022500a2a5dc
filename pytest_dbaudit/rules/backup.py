"""Backup & recovery checks."""

from __future__ import annotations

import re

from ..outcomes import Finding, Undecided
from ..registry import check
from ..sources.inventory import inventory_of
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
            findings.append(Finding(
                f"{s.name}: the data lives in the container ({'emptyDir' if s.source == 'kubernetes' else 'no volume'})"
                ": removing it removes the database", location=s.declared[0], observed="ephemeral storage",
                expected="a persistent volume (volumeClaimTemplates / a named volume)",
                severity="Low" if s.source == "compose" else None))
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
    if findings:
        for u in undecided:
            ctx.note(f"unresolved: {u}")
        return findings
    if undecided:
        raise Undecided("values known only at plan time: " + "; ".join(undecided))
    if not stores and not others and not findings:
        raise Undecided("no RDS, Aurora, Cloud SQL or Azure database is declared in Terraform; retention of other "
                        "stores is not readable from the repository")
    return []


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
