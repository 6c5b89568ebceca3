"""Each unit's files (MEDIA_ROOT/<schema>/), with a full disk reported instead of half-written files.

A unit's media may sit on a volume or quota of its own; when it is full, Django's storage leaves the
partly written file behind and the upload ends in a 500. Here the partial file is removed and
`StorageFull` raised, which tenants.middleware.StorageFullMiddleware turns into a Chinese message.
Nothing else in the platform depends on that volume, so every other page and unit goes on working.
"""

from __future__ import annotations

import errno
import logging

from django_tenants.files.storage import TenantFileSystemStorage

logger = logging.getLogger(__name__)

FULL = (errno.ENOSPC, errno.EDQUOT)


class StorageFull(OSError):
    """The unit's media volume has no room left for a file."""


class UnitFileStorage(TenantFileSystemStorage):
    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except StorageFull:
            raise
        except OSError as error:
            if error.errno not in FULL:
                raise
            try:
                self.delete(name)
            except OSError:
                # Deleting can fail on the same full volume only in odd cases; the file name is logged.
                logger.warning("存储空间已满，未能删除写了一半的文件：%s", name)
            logger.error("存储空间已满：%s 未保存（%s）", name, self.location)
            raise StorageFull(error.errno, "存储空间已满", name) from error
