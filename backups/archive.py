"""The archive of one unit: a gzip'd tar whose last member, `manifest.json`, holds a SHA-256 of every other member.

Members:
    schema.sql          the unit's schema (pg_dump -n, plain SQL that psql of PostgreSQL 15 and later loads)
    public_rows.jsonl   the unit's rows in the public schema (Django's python serializer, one object a line)
    media/<path>        every file under MEDIA_ROOT/<schema>/
    manifest.json       last: what the archive holds, each member's size and SHA-256, and the digest of them all

The manifest is written last so that every member is hashed while it is written: a file that changes
while it is archived is recorded as it was written, never with a hash of another version. On restore
every member is extracted into a staging place while it is hashed, and nothing else happens until all
of them match the manifest (`extract_verified`).

The checksums guard against damage (a truncated copy, a bad disk, an edited member), not against a
forger, who could rewrite the manifest too: keep the archive's own SHA-256, which `backup_unit` prints,
apart from the archive, and give it to `restore_unit --sha256`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
import tempfile
import time
import zlib
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .errors import ArchiveCorrupted, BackupError

FORMAT = "govplatform-unit-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SCHEMA_SQL = "schema.sql"
PUBLIC_ROWS = "public_rows.jsonl"
MEDIA_PREFIX = "media/"
_FIXED_MEMBERS = (SCHEMA_SQL, PUBLIC_ROWS)
# A manifest lists every file of a unit's media; far below this even for a large unit.
_MANIFEST_LIMIT = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


def contents_digest(members: dict[str, dict]) -> str:
    """One SHA-256 over every member's name, size and SHA-256, in name order: the archive's contents."""
    digest = hashlib.sha256()
    for name in sorted(members):
        digest.update(f"{name}\t{members[name]['size']}\t{members[name]['sha256']}\n".encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """A file object for tarfile.addfile that hashes exactly what tarfile copies into the archive."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """Writes the archive next to its final path and moves it there only when it is complete."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        os.close(handle)
        self._temporary = Path(temporary)
        # Open across add_file() calls; closed by finish() or abort().
        self._tar = tarfile.open(self._temporary, mode="w:gz", format=tarfile.PAX_FORMAT)  # noqa: SIM115
        self.members: dict[str, dict] = {}

    def _info(self, name: str, *, size: int, mtime: float) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mtime = int(mtime)
        info.mode = 0o644
        return info

    def add_file(self, name: str, source: Path) -> None:
        with open(source, "rb") as handle:
            stat = os.fstat(handle.fileno())
            reader = _HashingReader(handle)
            # tarfile copies exactly `size` bytes and refuses a file that shrank meanwhile.
            self._tar.addfile(self._info(name, size=stat.st_size, mtime=stat.st_mtime), reader)
        self.members[name] = {"size": reader.size, "sha256": reader.digest.hexdigest()}

    def finish(self, manifest: dict) -> str:
        """Write the manifest, close, move into place; the SHA-256 of the archive file."""
        manifest = {
            **manifest,
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "members": self.members,
            "contents_sha256": contents_digest(self.members),
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        self._tar.addfile(self._info(MANIFEST, size=len(data), mtime=time.time()), _BytesReader(data))
        self._tar.close()
        os.replace(self._temporary, self.path)
        return file_sha256(self.path)

    def abort(self) -> None:
        self._tar.close()
        self._temporary.unlink(missing_ok=True)


class _BytesReader:
    def __init__(self, data: bytes):
        self._data = memoryview(data)
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._offset + size
        chunk = self._data[self._offset : end].tobytes()
        self._offset += len(chunk)
        return chunk


@dataclass
class VerifiedArchive:
    manifest: dict
    schema_sql: Path
    public_rows: Path
    media_files: list[str] = field(default_factory=list)


def _media_path(name: str) -> PurePosixPath | None:
    """The path below media/ of a member name, or None when the name could leave the staging folder."""
    if not name.startswith(MEDIA_PREFIX) or "\\" in name or "\x00" in name:
        return None
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    if relative.is_absolute() or not relative.parts or any(part in ("", ".", "..") for part in relative.parts):
        return None
    return relative


def _destination(member: tarfile.TarInfo, *, work_dir: Path, media_dir: Path) -> Path | None:
    """Where a member is extracted; None for the manifest (kept in memory)."""
    if member.name == MANIFEST:
        return None
    if member.name in _FIXED_MEMBERS:
        return work_dir / member.name
    relative = _media_path(member.name)
    if relative is None:
        raise ArchiveCorrupted(f"备份文件含有不允许的成员「{member.name}」，已拒绝恢复")
    return media_dir.joinpath(*relative.parts)


def _copy_hashing(source: BinaryIO, destination: Path | None) -> tuple[int, str, bytes]:
    """Copy a member while hashing it; the manifest (destination None) is also returned as bytes."""
    digest = hashlib.sha256()
    size = 0
    kept = bytearray()
    with ExitStack() as stack:
        target = None
        if destination is not None:
            try:
                destination.parent.mkdir(parents=True, exist_ok=True)
                target = stack.enter_context(open(destination, "xb"))
            except FileExistsError as exc:
                raise ArchiveCorrupted(f"备份文件中成员重复或互相冲突：{destination.name}，已拒绝恢复") from exc
            except OSError as exc:
                raise BackupError(f"无法写入恢复用的临时文件 {destination}：{exc}") from exc
        while True:
            try:
                chunk = source.read(_CHUNK)
            except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
                raise ArchiveCorrupted(f"备份文件已损坏，读取时出错：{exc}") from exc
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
            if target is None:
                kept.extend(chunk)
                if size > _MANIFEST_LIMIT:
                    raise ArchiveCorrupted("备份文件的清单（manifest.json）过大，不是本平台生成的备份")
                continue
            try:
                target.write(chunk)
            except OSError as exc:
                raise BackupError(f"无法写入恢复用的临时文件 {destination}：{exc}") from exc
    return size, digest.hexdigest(), bytes(kept)


def extract_verified(path: Path, *, work_dir: Path, media_dir: Path) -> VerifiedArchive:
    """Extract every member (schema and rows into `work_dir`, media into `media_dir`) and check them
    against the manifest. Raises ArchiveCorrupted, naming the member, at the first thing that is wrong."""
    found: dict[str, dict] = {}
    manifest_bytes = None
    try:
        with tarfile.open(path, mode="r|gz") as tar:
            for member in tar:
                if member.name in found or (member.name == MANIFEST and manifest_bytes is not None):
                    raise ArchiveCorrupted(f"备份文件中成员「{member.name}」重复出现，已拒绝恢复")
                if not member.isfile():
                    raise ArchiveCorrupted(f"备份文件含有不允许的成员「{member.name}」（不是普通文件），已拒绝恢复")
                destination = _destination(member, work_dir=work_dir, media_dir=media_dir)
                source = tar.extractfile(member)
                size, sha256, kept = _copy_hashing(source, destination)
                if destination is None:
                    manifest_bytes = kept
                else:
                    found[member.name] = {"size": size, "sha256": sha256}
    except FileNotFoundError as exc:
        raise ArchiveCorrupted(f"备份文件不存在：{path}") from exc
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ArchiveCorrupted(f"备份文件已损坏或不是本平台的备份（{path.name}）：{exc}") from exc
    manifest = _parse_manifest(manifest_bytes)
    _compare(manifest, found)
    return VerifiedArchive(
        manifest=manifest,
        schema_sql=work_dir / SCHEMA_SQL,
        public_rows=work_dir / PUBLIC_ROWS,
        media_files=sorted(name[len(MEDIA_PREFIX) :] for name in found if name.startswith(MEDIA_PREFIX)),
    )


def _parse_manifest(data: bytes | None) -> dict:
    if data is None:
        raise ArchiveCorrupted("备份文件缺少清单（manifest.json），不是完整的单位备份")
    try:
        manifest = json.loads(data.decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArchiveCorrupted(f"备份文件的清单（manifest.json）无法解析：{exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveCorrupted("备份文件的清单不是本平台的单位备份格式")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveCorrupted(f"备份格式版本 {manifest.get('format_version')!r} 不受支持（本平台读取版本 {FORMAT_VERSION}）")
    if not isinstance(manifest.get("members"), dict):
        raise ArchiveCorrupted("备份文件的清单没有成员校验值")
    unit, schema = manifest.get("unit"), manifest.get("schema")
    if (
        not isinstance(unit, dict)
        or not all(isinstance(unit.get(key), str) and unit[key] for key in ("code", "name", "schema_name"))
        or not isinstance(unit.get("domains"), list)
        or not isinstance(schema, dict)
        or schema.get("name") != unit["schema_name"]
        or not isinstance(schema.get("tables"), dict)
        or not isinstance(schema.get("migrations"), list)
    ):
        raise ArchiveCorrupted("备份文件的清单不完整（缺少单位、模式或表的记录）")
    return manifest


def _compare(manifest: dict, found: dict[str, dict]) -> None:
    listed: dict[str, dict] = manifest["members"]
    for name in _FIXED_MEMBERS:
        if name not in listed:
            raise ArchiveCorrupted(f"备份文件的清单缺少必需的成员「{name}」")
    for name in sorted(listed):
        if name not in found:
            raise ArchiveCorrupted(f"备份文件缺少成员「{name}」（清单中有，文件中没有），备份不完整")
        expected, actual = listed[name], found[name]
        if expected.get("sha256") != actual["sha256"] or expected.get("size") != actual["size"]:
            raise ArchiveCorrupted(
                f"校验失败：成员「{name}」的 SHA-256 与清单不符（清单 {expected.get('sha256')}，"
                f"实际 {actual['sha256']}），备份已损坏或被改动，已拒绝恢复"
            )
    extra = sorted(set(found) - set(listed))
    if extra:
        raise ArchiveCorrupted(f"备份文件含有清单之外的成员「{extra[0]}」，已拒绝恢复")
    if manifest.get("contents_sha256") != contents_digest(listed):
        raise ArchiveCorrupted("校验失败：清单中的内容总校验值（contents_sha256）与各成员不符，清单已被改动")
