"""Writes of backups: one unit into one archive (`backup_unit`), an archive back into a unit (`restore_unit`).

A backup reads the unit's schema (pg_dump), its public-schema rows and the list of its tables in one
REPEATABLE READ transaction whose snapshot pg_dump shares (`--snapshot`), so the schema and the rows
belong to the same moment; the media folder is read afterwards (files are not transactional).

A restore changes nothing until every member of the archive matches the manifest. Then, in one
transaction: the schema is loaded under a scratch name, its row counts are checked against the
manifest, it is renamed into place (ALTER SCHEMA … RENAME), the unit, its domains and its public rows
are written (re-pointed at the new unit), and the Wagtail site is given the unit's host. The media
folder, staged beside MEDIA_ROOT/<schema>/ while the archive was verified, is renamed into place last,
inside the transaction; if anything fails, the transaction rolls back (scratch schema included) and
the staged or moved files are removed, and a replaced unit's folder is put back.

Domains of a restored unit:
- restored as itself (no --as, or --as with its own code): the domains in the archive, each checked
  again (refused if the portal or another unit holds it now);
- restored as a copy (--as NEWCODE): NEWCODE.PORTAL_DOMAIN as its primary domain, plus any given with
  --domain / --external-domain. The archive's domains are not carried over: a domain is never moved
  from one unit to another, and the original unit may still hold them.

A copy's public rows are the original's, re-pointed at the copy, except what a rule spanning units
gives to one holder only: a row that would repeat one held elsewhere under a unique constraint (a
former name, a contest's nominated address) and the rows that point at it, and many-to-many links
from records outside the archive (a published 通报 naming the unit's cases). The restore says how many
of each it left out.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import secrets
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from psycopg2.errorcodes import UNIQUE_VIOLATION

from tenants.caches import domains as domain_cache
from tenants.caches import forget_content_types
from tenants.context import foreign_schema_context, in_public_schema, schema_exists, schema_named
from tenants.hosts import site_port, unit_hostname
from tenants.models import PUBLIC_CODE, TEMPLATE_CODE, Domain, Unit, code_validator
from tenants.services import DomainRefused, check_unit_domain, is_portal_subdomain, normalise_hostname

from . import pgdump, selectors
from .archive import MEDIA_PREFIX, PUBLIC_ROWS, SCHEMA_SQL, ArchiveWriter, VerifiedArchive, extract_verified, file_sha256
from .errors import ArchiveCorrupted, BackupError, RestoreRefused, TargetExists, UnknownUnit

TEMPLATE_SCHEMA = settings.TENANT_BASE_SCHEMA
# A unit's schema name as provisioning makes it (unit_<code>); anything else is not rewritten on load.
_SCHEMA_NAME = re.compile(r"unit_[a-z][a-z0-9]{1,19}")
NOT_INCLUDED = (
    "以单位代码或模式名（而非外键）标识单位的记录不属于单位自身的记录，未写入备份：门户检索索引（恢复后按单位重建）、"
    "门户检索待办（outbox）、会签请求、留言转交记录、门户的已公开答复列表"
)


# --- backup -------------------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    sha256: str
    size: int
    seconds: float
    tables: int
    rows: int
    public_rows: dict[str, int]
    media_files: int
    consistent_snapshot: bool


def _site_unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise UnknownUnit(f"没有单位代码为「{code}」的单位，请检查单位代码（单位子站列表中可查）")
    if unit.code in (PUBLIC_CODE, TEMPLATE_CODE) or unit.schema_name in ("public", TEMPLATE_SCHEMA):
        raise BackupError(f"「{unit.name}」（{code}）是市政府门户或子站模板，不是单位子站；它们随整库备份（见 deploy/README.md）")
    if not schema_exists(unit.schema_name):
        raise BackupError(f"单位「{unit.name}」（{code}）的模式 {unit.schema_name} 不存在，无法备份")
    return unit


def default_archive_name(code: str) -> str:
    return f"{code}-{timezone.localtime():%Y%m%d-%H%M%S}.unit-backup.tar.gz"


def _export_snapshot(*, outermost: bool) -> str | None:
    """The snapshot pg_dump shares with this transaction; None when already inside a caller's transaction
    (its isolation level can no longer be chosen: pg_dump then takes its own snapshot)."""
    if not outermost:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


def _counted(objects: Iterable[models.Model], counts: Counter, label: str) -> Iterator[models.Model]:
    for obj in objects:
        counts[label] += 1
        yield obj


class _ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder cuts times to milliseconds (ECMA-262); a backup keeps every microsecond."""

    def default(self, o):
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _batches(objects: Iterable[models.Model], size: int = 500) -> Iterator[list[models.Model]]:
    iterator = iter(objects)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _write_public_rows(*, unit: Unit, owned: list[selectors.UnitOwnedModel], path: Path) -> Counter:
    """The Unit row, then every owned model's rows, parents before children: one object of Django's
    python serializer per line (JSON Lines), written as the rows are read."""
    counts: Counter = Counter()
    streams = [_counted([unit], counts, "tenants.unit")]
    streams += [_counted(item.rows(unit).iterator(), counts, item.label) for item in owned]
    with open(path, "w", encoding="utf-8") as handle:
        for batch in _batches(itertools.chain(*streams)):
            # Natural keys for what lies outside the archive (users, content types); the unit's own rows
            # keep their ids, which the restore maps to the new ones.
            for data in serializers.serialize("python", batch, use_natural_foreign_keys=True):
                handle.write(json.dumps(data, cls=_ExactJSONEncoder, ensure_ascii=False) + "\n")
    return counts


def backup_unit(*, code: str, output: Path | None = None) -> BackupResult:
    """Write one archive of the unit `code`: schema, public-schema rows, media, and the manifest."""
    started = time.perf_counter()
    if not in_public_schema():
        raise BackupError("只能在公共模式（public schema）中备份单位")
    unit = _site_unit(code)
    path = Path(output) if output else Path.cwd() / default_archive_name(code)
    if path.exists():
        raise BackupError(f"备份文件 {path} 已存在，不会覆盖；请换一个文件名（--output）")
    owned = selectors.unit_owned_models()
    try:
        writer = ArchiveWriter(path)
    except OSError as exc:
        raise BackupError(f"无法创建备份文件 {path}：{exc}") from exc
    finished = False
    try:
        with tempfile.TemporaryDirectory(prefix="unit-backup-") as work:
            outermost = not connection.in_atomic_block
            with transaction.atomic():
                snapshot = _export_snapshot(outermost=outermost)
                schema_sql = Path(work) / SCHEMA_SQL
                with open(schema_sql, "wb") as handle:
                    dump = pgdump.dump_schema(schema_name=unit.schema_name, destination=handle, snapshot=snapshot)
                public_rows = Path(work) / PUBLIC_ROWS
                counts = _write_public_rows(unit=unit, owned=owned, path=public_rows)
                migrations = selectors.schema_migrations(unit.schema_name)
                relations = selectors.schema_relation_counts(unit.schema_name)
                unit_domains = list(
                    Domain.objects.filter(tenant=unit).order_by("-is_primary", "id").values("domain", "is_primary")
                )
            writer.add_file(SCHEMA_SQL, schema_sql)
            writer.add_file(PUBLIC_ROWS, public_rows)
        folder = selectors.unit_media_folder(unit.schema_name)
        files = selectors.media_files(unit.schema_name)
        for file_path in files:
            try:
                writer.add_file(MEDIA_PREFIX + file_path.relative_to(folder).as_posix(), file_path)
            except FileNotFoundError:
                continue  # deleted since the folder was listed: it is no longer the unit's
        manifest = {
            "created_at": timezone.now().isoformat(),
            "unit": {
                "code": unit.code,
                "name": unit.name,
                "full_name": unit.full_name,
                "schema_name": unit.schema_name,
                "domains": unit_domains,
            },
            "postgresql": {"server_version": dump.server_version, "pg_dump": dump.pg_dump_version},
            "consistent_snapshot": snapshot is not None,
            "schema": {"name": unit.schema_name, "tables": dump.rows, "relations": relations, "migrations": migrations},
            "public_rows": {
                "models": [
                    {"model": "tenants.unit", "rows": counts["tenants.unit"], "via": ["pk"]},
                    *({"model": item.label, "rows": counts[item.label], "via": list(item.paths)} for item in owned),
                ],
                "not_included": NOT_INCLUDED,
            },
            "media": {
                "folder": f"MEDIA_ROOT/{unit.schema_name}/",
                "files": sum(name.startswith(MEDIA_PREFIX) for name in writer.members),
                "bytes": sum(writer.members[name]["size"] for name in writer.members if name.startswith(MEDIA_PREFIX)),
            },
        }
        sha256 = writer.finish(manifest)
        finished = True
    except OSError as exc:
        # A full disk, or a media file that changed size while it was archived.
        raise BackupError(f"写入备份文件 {path} 失败（未留下不完整的备份）：{exc}") from exc
    finally:
        if not finished:
            writer.abort()
    return BackupResult(
        path=path,
        sha256=sha256,
        size=path.stat().st_size,
        seconds=time.perf_counter() - started,
        tables=len(dump.rows),
        rows=sum(dump.rows.values()),
        public_rows=dict(counts),
        media_files=manifest["media"]["files"],
        consistent_snapshot=snapshot is not None,
    )


# --- restore ------------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    unit: Unit
    code: str
    schema_name: str
    domains: list[str]
    seconds: float
    tables: int
    rows: int
    public_rows: dict[str, int]
    skipped: dict[str, int]
    media_files: int
    messages: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    source_code: str
    source_schema: str
    code: str
    schema_name: str
    name: str
    copy: bool
    replace: bool
    existing: Unit | None
    schema_taken: bool
    domains: list[str]
    migrations_behind: list[str]


def _check_code(code: str) -> None:
    try:
        code_validator(code)
    except ValidationError as exc:
        raise RestoreRefused(f"单位代码「{code}」无效：{exc.messages[0]}") from exc
    if code in (PUBLIC_CODE, TEMPLATE_CODE):
        raise RestoreRefused(f"单位代码「{code}」是门户或子站模板的保留代码，不能用于恢复单位")


def _plan_domains(
    *, manifest: dict, copy: bool, code: str, existing: Unit | None, extra: tuple[str, ...], external: tuple[str, ...]
) -> list[str]:
    if copy:
        wanted = [(unit_hostname(code), False)]
    else:
        archived = [str(entry.get("domain", "")) for entry in manifest["unit"]["domains"] if isinstance(entry, dict)]
        wanted = [(hostname, not is_portal_subdomain(normalise_hostname(hostname))) for hostname in archived]
        if not wanted:
            wanted = [(unit_hostname(code), False)]
    wanted += [(d, False) for d in extra] + [(d, True) for d in external]
    hostnames: list[str] = []
    for raw, is_external in wanted:
        try:
            hostname = check_unit_domain(raw, unit=existing, external=is_external)
        except DomainRefused as exc:
            hint = "；可用 --as 以新的单位代码恢复" if not copy else ""
            raise RestoreRefused(f"{exc.message}{hint}") from exc
        if hostname not in hostnames:
            hostnames.append(hostname)
    return hostnames


def _plan(
    *,
    manifest: dict,
    new_code: str,
    new_name: str,
    replace: bool,
    extra_domains: tuple[str, ...],
    external_domains: tuple[str, ...],
) -> _Plan:
    """What the restore would write, or the refusal; nothing is written here."""
    # archive.extract_verified checked that these keys are there.
    source = manifest["unit"]
    source_code, source_schema = source["code"], source["schema_name"]
    if not _SCHEMA_NAME.fullmatch(source_schema):
        raise ArchiveCorrupted(f"备份文件的清单中模式名「{source_schema}」无效")
    code = new_code or source_code
    _check_code(code)
    copy = code != source_code
    schema_name = f"unit_{code}"
    existing = Unit.objects.filter(code=code).first() or Unit.objects.filter(schema_name=schema_name).first()
    schema_taken = schema_exists(schema_name)
    media_taken = selectors.unit_media_folder(schema_name).exists()
    if existing is not None and existing.schema_name in ("public", TEMPLATE_SCHEMA):
        raise RestoreRefused(f"「{existing.name}」是市政府门户或子站模板，不能被单位备份覆盖")
    if (existing is not None or schema_taken or media_taken) and not replace:
        what = (
            f"单位「{existing.name}」（{existing.code}）已存在"
            if existing is not None
            else f"模式 {schema_name} 已存在"
            if schema_taken
            else f"媒体文件夹 {selectors.unit_media_folder(schema_name)} 已存在"
        )
        raise TargetExists(
            f"{what}，恢复不会覆盖现有单位；如确需以备份覆盖，请加 --replace；或用 --as 新单位代码 恢复为另一个单位"
        )
    name = new_name or source["name"]
    holder = Unit.objects.filter(name=name).exclude(pk=existing.pk if replace and existing else None).first()
    if holder is not None:
        raise RestoreRefused(f"单位简称「{name}」已被单位「{holder.code}」使用；请用 --name 为恢复的单位指定新的简称")
    hostnames = _plan_domains(
        manifest=manifest,
        copy=copy,
        code=code,
        existing=existing if replace else None,
        extra=extra_domains,
        external=external_domains,
    )
    archived = set(manifest["schema"]["migrations"])
    current = set(selectors.schema_migrations(TEMPLATE_SCHEMA)) if schema_exists(TEMPLATE_SCHEMA) else archived
    newer = sorted(archived - current)
    if newer:
        raise RestoreRefused(
            f"备份来自较新的平台版本，含有本平台没有的迁移（{'、'.join(newer[:5])} 等 {len(newer)} 项），请先升级平台再恢复"
        )
    return _Plan(
        source_code=source_code,
        source_schema=source_schema,
        code=code,
        schema_name=schema_name,
        name=name,
        copy=copy,
        replace=replace,
        existing=existing,
        schema_taken=schema_taken,
        domains=hostnames,
        migrations_behind=sorted(current - archived),
    )


def _remove_existing(plan: _Plan) -> None:
    """--replace: the unit now at the target, its public rows (children first) and its schema."""
    with connection.cursor() as cursor:
        # Deferred constraint checks of earlier writes in this transaction (a caller's) would keep
        # their tables from being dropped: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        if plan.existing is not None:
            for item in reversed(selectors.unit_owned_models()):
                item.rows(plan.existing).delete()
            plan.existing.delete(force_drop=True)
        if schema_exists(plan.schema_name):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA "{plan.schema_name}" CASCADE')
    except (ProtectedError, RestrictedError) as exc:
        raise RestoreRefused(f"无法覆盖现有单位：它的记录仍被其他记录引用（{exc.args[0]}）") from exc


def _load_schema(*, plan: _Plan, verified: VerifiedArchive) -> dict[str, int]:
    scratch = f"restore_{secrets.token_hex(6)}"
    try:
        loaded = pgdump.load_schema(sql_path=verified.schema_sql, from_schema=plan.source_schema, into_schema=scratch)
    except DatabaseError as exc:
        raise BackupError(f"载入备份中的模式失败（已全部撤销）：{exc}") from exc
    expected = verified.manifest["schema"]["tables"]
    if loaded != expected:
        differing = sorted(set(loaded) ^ set(expected)) or sorted(t for t in expected if loaded.get(t) != expected[t])
        raise ArchiveCorrupted(f"载入的数据与清单不符（表 {'、'.join(differing[:5])}），已全部撤销")
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{scratch}" RENAME TO "{plan.schema_name}"')
    return loaded


def _save_raw(obj: models.Model) -> None:
    """Insert as loaddata does: no custom save(), timestamps as archived; a new primary key."""
    models.Model.save_base(obj, raw=True, force_insert=True)


def _insert_raw(model: type[models.Model], objs: list[models.Model]) -> None:
    """One INSERT for rows of one model, as `_save_raw` writes a single row: raw (auto_now and
    auto_now_add keep the archived values), new primary keys from the database, no signals.

    Manager._insert is what Model.save_base itself uses for an insert; bulk_create cannot be used,
    because it always overwrites auto_now_add and auto_now fields.
    """
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if not field.generated]
    returning = None
    if meta.auto_field is not None and meta.pk is meta.auto_field:
        fields = [field for field in fields if field is not meta.auto_field]
        returning = [meta.pk]
    elif not isinstance(meta.pk, models.CompositePrimaryKey):
        for obj in objs:
            obj.pk = meta.pk.get_pk_value_on_save(obj)
    size = max(1, min(500, 30_000 // max(1, len(fields))))
    for offset in range(0, len(objs), size):
        batch = objs[offset : offset + size]
        rows = model._base_manager._insert(batch, fields=fields, returning_fields=returning, raw=True)
        for index, obj in enumerate(batch):
            if returning:
                obj.pk = rows[index][0]
            obj._state.adding = False
            obj._state.db = connection.alias


class _PublicRows:
    """The archive's public rows written for the restored unit, with their ids mapped to the new ones.

    Rows come model by model, parents first (backup order); each model's rows are inserted together.
    """

    def __init__(self, plan: _Plan):
        self.plan = plan
        self.owned = {item.label: item for item in selectors.unit_owned_models()}
        self.mapping: dict[tuple[str, object], object] = {}
        self.counts: Counter = Counter()
        self.skipped: Counter = Counter()
        self.self_links: list[tuple[models.Model, models.Field, object]] = []
        self.dropped: set[tuple[str, object]] = set()
        self.unit: Unit | None = None

    def _mapped(self, label: str) -> bool:
        return label == "tenants.unit" or label in self.owned

    def _write_unit(self, unit: Unit) -> None:
        if self.unit is not None:
            raise ArchiveCorrupted("备份的公共记录中有多个单位记录")
        old = unit.pk
        unit.pk = None
        unit.code, unit.schema_name, unit.name = self.plan.code, self.plan.schema_name, self.plan.name
        # save_base: Unit's post_save empties the host cache and the portal's caches.
        _save_raw(unit)
        self.unit = unit
        self.mapping[("tenants.unit", old)] = unit.pk
        self.counts["tenants.unit"] += 1

    def _skip(self, obj: models.Model, label: str) -> bool:
        if label == "tenants.domain":
            # Written from the plan (see the module's domain rule).
            return True
        if self.plan.copy and obj._meta.auto_created:
            # A many-to-many link from a record outside the archive (a 通报 naming this unit's cases)
            # is not copied to a new unit.
            self.skipped[label] += 1
            return True
        return False

    def _drop(self, label: str, old: object) -> None:
        """A copy's row left out, and with it every row that points at it."""
        self.skipped[label] += 1
        self.dropped.add((label, old))

    def _prepare(self, item) -> tuple[models.Model, object, dict] | None:
        """The row re-pointed at the restored rows, or None when it is not written."""
        obj = item.object
        label = obj._meta.label_lower
        if label not in self.owned:
            raise RestoreRefused(f"备份中的记录类型 {label} 在本平台不是单位的记录，无法恢复（平台版本不一致？）")
        if self._skip(obj, label):
            return None
        # A composite primary key (visits.VisitorDigest: unit, day, digest) is made of fields remapped
        # below; any other primary key is given anew by the insert.
        composite = isinstance(obj._meta.pk, models.CompositePrimaryKey)
        old = None if composite else obj.pk
        if not composite:
            obj.pk = None
        for link in selectors.links(type(obj)):
            value = getattr(obj, link.attname)
            target = link.related_model._meta.label_lower
            if value is None or not self._mapped(target):
                continue
            if (target, value) in self.dropped:
                self._drop(label, old)
                return None
            if link.related_model is type(obj) and (target, value) not in self.mapping:
                self.self_links.append((obj, link, value))
                setattr(obj, link.attname, None)
                continue
            # A row outside the unit's (another unit's, say) keeps its reference.
            setattr(obj, link.attname, self.mapping.get((target, value), value))
        return obj, old, item.m2m_data

    def _insert(self, model: type[models.Model], rows: list[tuple[models.Model, object, dict]]) -> list:
        """Insert one model's rows; for a copy, leave out each row that would repeat a row held elsewhere
        under a rule spanning units (a former name, a contest's nominated address): the holder keeps it."""
        objs = [obj for obj, _old, _m2m in rows]
        if not self.plan.copy:
            _insert_raw(model, objs)
            return rows
        try:
            with transaction.atomic():
                _insert_raw(model, objs)
            return rows
        except IntegrityError as exc:
            if getattr(exc.__cause__, "pgcode", None) != UNIQUE_VIOLATION:
                raise
        written = []
        for row in rows:
            try:
                with transaction.atomic():
                    _insert_raw(model, [row[0]])
                written.append(row)
            except IntegrityError as exc:
                if getattr(exc.__cause__, "pgcode", None) != UNIQUE_VIOLATION:
                    raise
                self._drop(model._meta.label_lower, row[1])
        return written

    def _write_model(self, items: list) -> None:
        if not items:
            return
        model = type(items[0].object)
        label = model._meta.label_lower
        prepared = [row for row in map(self._prepare, items) if row is not None]
        if not prepared:
            return
        try:
            written = self._insert(model, prepared)
        except IntegrityError as exc:
            raise RestoreRefused(f"恢复公共模式记录 {label} 失败（已全部撤销）：{exc}") from exc
        for obj, old, m2m_data in written:
            if old is not None:
                self.mapping[(label, old)] = obj.pk
            self.counts[label] += 1
            for name, values in m2m_data.items():
                related = obj._meta.get_field(name).related_model._meta.label_lower
                getattr(obj, name).set([self.mapping.get((related, value), value) for value in values])

    def restore(self, path: Path) -> Unit:
        try:
            with open(path, encoding="utf-8") as handle:
                objects = serializers.deserialize("python", (json.loads(line) for line in handle if line.strip()))
                pending: list = []
                for item in objects:
                    if isinstance(item.object, Unit):
                        self._write_unit(item.object)
                        continue
                    if self.unit is None:
                        raise ArchiveCorrupted("备份的公共记录缺少单位记录")
                    if pending and type(pending[0].object) is not type(item.object):
                        self._write_model(pending)
                        pending = []
                    pending.append(item)
                self._write_model(pending)
            for obj, link, old_target in self.self_links:
                key = (link.related_model._meta.label_lower, old_target)
                if obj.pk is None or key in self.dropped:
                    continue
                type(obj)._base_manager.filter(pk=obj.pk).update(**{link.attname: self.mapping.get(key, old_target)})
        except DeserializationError as exc:
            raise ArchiveCorrupted(
                f"备份的公共记录无法读取（平台版本不一致，或所引用的用户、内容类型、评比等在本平台不存在）：{exc}"
            ) from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise ArchiveCorrupted(f"备份的公共记录无法读取：{exc}") from exc
        if self.unit is None:
            raise ArchiveCorrupted("备份的公共记录缺少单位记录")
        return self.unit


def _write_domains(*, unit: Unit, plan: _Plan) -> None:
    try:
        for index, hostname in enumerate(plan.domains):
            Domain.objects.create(domain=hostname, tenant=unit, is_primary=index == 0)
    except IntegrityError as exc:
        raise RestoreRefused(f"域名已被其他单位占用（已全部撤销）：{exc}") from exc


def _point_site(plan: _Plan) -> None:
    """The restored Wagtail site answers on the unit's primary host."""
    from wagtail.models import Site

    with foreign_schema_context(plan.schema_name):
        Site.objects.filter(is_default_site=True).update(hostname=plan.domains[0], port=site_port())


@dataclass
class _MediaMove:
    staged: Path
    target: Path | None = None
    set_aside: Path | None = None
    moved: bool = False

    def into_place(self, *, target: Path, replace: bool) -> None:
        self.target = target
        if target.exists():
            if not replace:
                raise TargetExists(f"媒体文件夹 {self.target} 已存在，恢复不会覆盖；如确需覆盖，请加 --replace")
            set_aside = target.with_name(f".replaced-{target.name}-{secrets.token_hex(4)}")
            try:
                os.rename(target, set_aside)
            except OSError as exc:
                raise BackupError(f"无法移开现有的媒体文件夹 {target}：{exc}") from exc
            self.set_aside = set_aside
        if self.staged.exists():
            try:
                os.rename(self.staged, target)
            except OSError as exc:
                raise BackupError(f"无法把恢复的媒体文件移入 {target}：{exc}") from exc
            self.moved = True

    def undo(self) -> None:
        if self.moved and self.target is not None:
            shutil.rmtree(self.target, ignore_errors=True)
        if self.set_aside is not None and self.set_aside.exists() and self.target is not None and not self.target.exists():
            os.rename(self.set_aside, self.target)
        shutil.rmtree(self.staged, ignore_errors=True)

    def forget_set_aside(self) -> None:
        if self.set_aside is not None:
            shutil.rmtree(self.set_aside, ignore_errors=True)


def _after_commit(*, plan: _Plan, messages: list[str]) -> None:
    from wagtail.models import Site

    from search.backends.base import SearchBackendError
    from search.services import ReindexError, reindex_portal

    forget_content_types()
    domain_cache.clear()
    with schema_named(plan.schema_name):
        Site.clear_site_root_paths_cache()
    try:
        counts = reindex_portal(unit_code=plan.code)
        messages.append(f"门户检索索引已按单位重建：{counts.get(plan.code, 0)} 条文档")
    except (ReindexError, SearchBackendError, DatabaseError) as exc:
        messages.append(f"门户检索索引未能重建（{exc}）；请运行 manage.py reindex_portal --unit {plan.code}")


def restore_unit(
    *,
    archive: Path,
    new_code: str = "",
    new_name: str = "",
    replace: bool = False,
    extra_domains: tuple[str, ...] = (),
    external_domains: tuple[str, ...] = (),
    expected_sha256: str = "",
) -> RestoreResult:
    """Restore a unit from `archive`, as itself or (`new_code`) as a new unit; all of it or nothing."""
    started = time.perf_counter()
    if not in_public_schema():
        raise BackupError("只能在公共模式（public schema）中恢复单位")
    archive = Path(archive)
    if not archive.is_file():
        raise ArchiveCorrupted(f"备份文件不存在：{archive}")
    if expected_sha256 and file_sha256(archive) != expected_sha256.strip().lower():
        raise ArchiveCorrupted(f"备份文件 {archive.name} 的 SHA-256 与给出的值不符，备份已损坏或被替换，已拒绝恢复")
    root = selectors.media_root()
    root.mkdir(parents=True, exist_ok=True)
    staged = root / f".restore-{secrets.token_hex(6)}"
    media = _MediaMove(staged=staged)
    committed = False
    try:
        with tempfile.TemporaryDirectory(prefix="unit-restore-") as work:
            verified = extract_verified(archive, work_dir=Path(work), media_dir=staged)
            plan = _plan(
                manifest=verified.manifest,
                new_code=new_code,
                new_name=new_name,
                replace=replace,
                extra_domains=extra_domains,
                external_domains=external_domains,
            )
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # A large unit loads for longer than a web request may take.
                    cursor.execute("SET LOCAL statement_timeout = 0")
                if plan.replace:
                    _remove_existing(plan)
                loaded = _load_schema(plan=plan, verified=verified)
                rows = _PublicRows(plan)
                unit = rows.restore(verified.public_rows)
                _write_domains(unit=unit, plan=plan)
                _point_site(plan)
                media.into_place(target=selectors.unit_media_folder(plan.schema_name), replace=plan.replace)
            committed = True
    finally:
        if not committed:
            media.undo()
    media.forget_set_aside()
    messages = [f"已恢复单位「{unit.name}」（{plan.code}，模式 {plan.schema_name}）：http://{plan.domains[0]}"]
    if rows.skipped:
        messages.append(
            "未恢复到新单位（与其他单位的记录在跨单位唯一的字段上重复，或是其他记录指向本单位的多对多链接，留给原单位）："
            + "，".join(f"{label} {count} 条" for label, count in sorted(rows.skipped.items()))
        )
    if plan.migrations_behind:
        messages.append(
            f"备份来自较早的平台版本（缺少 {len(plan.migrations_behind)} 项迁移）；"
            f"请运行 manage.py migrate_schemas --schema={plan.schema_name}"
        )
    _after_commit(plan=plan, messages=messages)
    return RestoreResult(
        unit=unit,
        code=plan.code,
        schema_name=plan.schema_name,
        domains=plan.domains,
        seconds=time.perf_counter() - started,
        tables=len(loaded),
        rows=sum(loaded.values()),
        public_rows=dict(rows.counts),
        skipped=dict(rows.skipped),
        media_files=len(verified.media_files),
        messages=messages,
    )
