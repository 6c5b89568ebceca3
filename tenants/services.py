"""Writes on units: the portal tenant, the template schema, provisioning."""

from __future__ import annotations

import logging
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection, transaction
from django_tenants.utils import schema_context, schema_exists

from .context import foreign_schema_context, in_public_schema
from .hosts import site_port, unit_hostname
from .models import PUBLIC_CODE, TEMPLATE_CODE, Domain, Unit, UnitAlias, UnitType
from .roles import UnitRole
from .schema_clone import clone_template
from .signals import unit_provisioned

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = settings.TENANT_BASE_SCHEMA


# Page permissions per group: editors draft, nobody but unit administrators
# publishes outside the workflow (approving the last workflow step publishes).
_PAGE_PERMISSIONS = {
    UnitRole.EDITOR: ("add_page", "change_page"),
    UnitRole.REVIEWER: ("add_page", "change_page", "lock_page", "unlock_page"),
    UnitRole.LEADER: ("change_page",),
    UnitRole.HEAD: ("change_page",),
    UnitRole.ADMIN: ("add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"),
}
_COLLECTION_PERMISSIONS = {
    UnitRole.EDITOR: ("add_document", "change_document", "choose_document", "add_image", "change_image", "choose_image"),
    UnitRole.REVIEWER: ("add_document", "change_document", "choose_document", "add_image", "change_image", "choose_image"),
    UnitRole.LEADER: ("choose_document", "choose_image"),
    UnitRole.HEAD: ("choose_document", "choose_image"),
    UnitRole.ADMIN: (
        "add_document",
        "change_document",
        "delete_document",
        "choose_document",
        "add_image",
        "change_image",
        "delete_image",
        "choose_image",
    ),
}


class ProvisioningError(Exception):
    pass


class DomainRefused(ProvisioningError):
    """A host name a unit may not have; `message` is shown on the form field."""

    def __init__(self, hostname: str, message: str):
        self.hostname = hostname
        self.message = message
        super().__init__(message)


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_hostname(raw: str) -> str:
    return raw.strip().lower().rstrip(".")


def portal_hostnames() -> set[str]:
    """The portal's own host names: PORTAL_DOMAIN, www.PORTAL_DOMAIN and the portal's Domain rows."""
    names = {settings.PORTAL_DOMAIN.lower(), f"www.{settings.PORTAL_DOMAIN.lower()}"}
    names.update(Domain.objects.filter(tenant__schema_name="public").values_list("domain", flat=True))
    return names


def is_portal_subdomain(hostname: str) -> bool:
    """`<x>.PORTAL_DOMAIN`, one label below the portal's domain."""
    suffix = f".{settings.PORTAL_DOMAIN.lower()}"
    return hostname.endswith(suffix) and "." not in hostname[: -len(suffix)] and len(hostname) > len(suffix)


def check_unit_domain(raw: str, *, unit: Unit | None = None, external: bool = False) -> str:
    """The normalised host name, or DomainRefused when `unit` may not have it.

    Refused: a malformed name; the portal's names; a name of another unit (a
    domain is never moved from one unit to another); and, unless `external`
    (the form's 外部域名), anything that is not `<x>.PORTAL_DOMAIN`.
    """
    hostname = normalise_hostname(raw)
    labels = hostname.split(".")
    if not hostname or len(hostname) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        raise DomainRefused(
            hostname or raw,
            f"域名「{raw.strip()}」格式不正确：只能由字母、数字、连字符和点组成，不含协议、端口或路径",
        )
    if hostname in portal_hostnames():
        raise DomainRefused(hostname, f"域名「{hostname}」是市政府门户的域名，不能分配给单位")
    owner = Domain.objects.filter(domain=hostname).select_related("tenant").first()
    if owner is not None and (unit is None or unit.pk is None or owner.tenant_id != unit.pk):
        if owner.tenant.schema_name == "public":
            raise DomainRefused(hostname, f"域名「{hostname}」是市政府门户的域名，不能分配给单位")
        raise DomainRefused(
            hostname,
            f"域名「{hostname}」已属于单位「{owner.tenant.name}」（{owner.tenant.code}），不能转给其他单位",
        )
    if not external and not is_portal_subdomain(hostname):
        raise DomainRefused(
            hostname,
            f"域名「{hostname}」不在门户域名 {settings.PORTAL_DOMAIN} 之下（应为 <名称>.{settings.PORTAL_DOMAIN}）；"
            f"确为单位自有的外部域名时，请勾选“外部域名”（命令行用 --external-domain）",
        )
    return hostname


@dataclass
class ProvisionResult:
    unit: Unit
    created: bool
    seconds: float
    admin_username: str = ""
    admin_password: str = ""
    messages: list[str] = field(default_factory=list)


def ensure_portal(*, domains: list[str] | None = None) -> Unit:
    """The public schema's tenant row: the city portal and the information centre's admin."""
    portal, _ = Unit.objects.get_or_create(
        schema_name="public",
        defaults={
            "name": "市政府门户",
            "full_name": "“中国·珠海”政府门户网站",
            "code": PUBLIC_CODE,
            "unit_type": UnitType.PORTAL,
            "sort_order": 0,
        },
    )
    wanted = domains or [settings.PORTAL_DOMAIN, f"www.{settings.PORTAL_DOMAIN}"]
    for index, name in enumerate(wanted):
        Domain.objects.get_or_create(domain=name, defaults={"tenant": portal, "is_primary": index == 0})
    return portal


def ensure_template_schema(*, verbosity: int = 0) -> Unit:
    """The migrated template every new unit schema is cloned from.

    It is an ordinary tenant row so that `migrate_schemas` keeps it current with
    every release; it has no domain and never serves a request.
    """
    template, _ = Unit.objects.get_or_create(
        schema_name=TEMPLATE_SCHEMA,
        defaults={"name": "子站模板", "code": TEMPLATE_CODE, "unit_type": UnitType.TEMPLATE, "sort_order": 9999},
    )
    if not schema_exists(TEMPLATE_SCHEMA):
        _create_schema_by_migrating(TEMPLATE_SCHEMA, verbosity=verbosity)
    return template


def _create_schema_by_migrating(schema_name: str, *, verbosity: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}"')
    call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()


def provision_unit(
    *,
    code: str,
    name: str,
    full_name: str = "",
    unit_type: str = UnitType.DEPARTMENT,
    extra_domains: tuple[str, ...] = (),
    external_domains: tuple[str, ...] = (),
    admin_username: str = "",
    admin_password: str = "",
    clone: bool = True,
    verbosity: int = 0,
    **profile: str,
) -> ProvisionResult:
    """Create a unit's schema, domain, Wagtail site, groups and first administrator.

    Re-provisioning an existing, complete unit changes nothing and says so.
    `extra_domains` must be `<x>.PORTAL_DOMAIN`; `external_domains` may be any
    host name. Neither may be the portal's or another unit's (DomainRefused).
    `clone=False` takes the slow path (running every migration), kept for the
    benchmark and for the test that both paths produce the same schema.
    """
    started = time.perf_counter()
    if not in_public_schema():
        raise ProvisioningError("只能在公共模式（public schema）中开通单位")
    existing = Unit.objects.filter(code=code).first()
    if existing is not None and schema_exists(existing.schema_name):
        return ProvisionResult(
            unit=existing,
            created=False,
            seconds=time.perf_counter() - started,
            messages=[f"单位「{existing.name}」（{code}）已开通，未做任何更改"],
        )
    if clone:
        ensure_template_schema(verbosity=verbosity)
    username = admin_username or f"{code}_admin"
    password = admin_password or secrets.token_urlsafe(12)
    # PBKDF2 releases the GIL: hash the password while the schema is built.
    hashing = ThreadPoolExecutor(max_workers=1)
    password_hash = hashing.submit(make_password, password)
    hashing.shutdown(wait=False)
    unit = existing or Unit(code=code, schema_name=f"unit_{code}")
    unit.name = name
    unit.full_name = full_name or name
    unit.unit_type = unit_type
    for key, value in profile.items():
        setattr(unit, key, value)
    unit.full_clean(exclude=["schema_name"])
    # Checked before anything is created, and again (atomically) when the rows are written.
    hostnames = [check_unit_domain(unit_hostname(code), unit=existing)]
    for raw, external in [*((d, False) for d in extra_domains), *((d, True) for d in external_domains)]:
        hostname = check_unit_domain(raw, unit=existing, external=external)
        if hostname not in hostnames:
            hostnames.append(hostname)

    def build() -> None:
        for index, hostname in enumerate(hostnames):
            domain, created = Domain.objects.get_or_create(domain=hostname, defaults={"tenant": unit, "is_primary": index == 0})
            if not created and domain.tenant_id != unit.pk:
                raise DomainRefused(hostname, f"域名「{hostname}」已属于其他单位，不能转给其他单位")
            if not created and domain.is_primary != (index == 0):
                domain.is_primary = index == 0
                domain.save(update_fields=["is_primary"])
        with foreign_schema_context(unit.schema_name):
            _bootstrap_wagtail(unit=unit, hostname=hostnames[0])
            _create_groups()
            _create_admin(username=username, password_hash=password_hash.result(), unit=unit)
            unit_provisioned.send(sender=Unit, unit=unit, created=True)

    if clone:
        # PostgreSQL DDL is transactional: a failure anywhere leaves no schema, row or domain.
        with transaction.atomic():
            unit.save()
            clone_template(unit.schema_name)
            build()
    else:
        # Migrations cannot run inside one outer transaction; undo by hand instead.
        unit.save()
        completed = False
        try:
            _create_schema_by_migrating(unit.schema_name, verbosity=verbosity)
            with transaction.atomic():
                build()
            completed = True
        finally:
            if not completed:
                connection.set_schema_to_public()
                unit.delete(force_drop=True)
    return ProvisionResult(
        unit=unit,
        created=True,
        seconds=time.perf_counter() - started,
        admin_username=username,
        admin_password=password,
        messages=[f"已开通单位「{unit.name}」：http://{hostnames[0]}"],
    )


def _bootstrap_wagtail(*, unit: Unit, hostname: str) -> None:
    """Root page, locale, collection, home page and Site of a fresh (row-less) schema."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Locale, Page, Site

    from sitepages.models import UnitHomePage

    locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Collection.objects.exists():
        Collection.add_root(name="根集合")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            instance=Page(
                title="根页面",
                slug="root",
                locale=locale,
                content_type=ContentType.objects.get_for_model(Page),
            )
        )
    # A schema made by running every migration carries Wagtail's welcome page,
    # default Site and default groups; a unit has none of them.
    Site.objects.exclude(root_page__in=UnitHomePage.objects.all()).delete()
    for stray in root.get_children().not_type(UnitHomePage):
        stray.delete()
    Group.objects.filter(name__in=["Moderators", "Editors"]).delete()
    home = UnitHomePage.objects.first()
    if home is None:
        home = root.add_child(instance=UnitHomePage(title=unit.full_name or unit.name, slug="home", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": hostname, "port": site_port(), "root_page": home, "site_name": unit.name},
    )


def _admin_access_permission() -> Permission:
    """Wagtail creates this permission in a data migration, which a row-less clone lacks."""
    from django.contrib.contenttypes.models import ContentType

    content_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    return permission


def _create_groups() -> None:
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    access_admin = _admin_access_permission()
    page_perms = {
        p.codename: p for p in Permission.objects.filter(content_type__app_label="wagtailcore", content_type__model="page")
    }
    collection_perms = {
        p.codename: p for p in Permission.objects.filter(content_type__app_label__in=["wagtaildocs", "wagtailimages"])
    }
    for role in UnitRole.ALL:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(access_admin)
        for codename in _PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=page_perms[codename])
        for codename in _COLLECTION_PERMISSIONS[role]:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=collection_perms[codename]
            )
    admin_group = Group.objects.get(name=UnitRole.ADMIN)
    # 设置 → 首页动态信息 (sitepages.HomepageDynamicSetting) is the unit administrator's.
    admin_group.permissions.add(
        *Permission.objects.filter(content_type__app_label="sitepages", codename="change_homepagedynamicsetting")
    )
    admin_group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["auth", "wagtailcore", "wagtailusers"],
            codename__in=[
                "add_user",
                "change_user",
                "delete_user",
                "view_user",
                "add_workflow",
                "change_workflow",
                "add_task",
                "change_task",
            ],
        )
    )


def _create_admin(*, username: str, password_hash: str, unit: Unit) -> None:
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        return
    user = User.objects.create(
        username=username,
        password=password_hash,
        email=unit.email or "",
        first_name=unit.name,
        last_name="管理员",
        is_staff=True,
    )
    user.groups.add(Group.objects.get(name=UnitRole.ADMIN))


def create_platform_admin(*, username: str, password: str, email: str = "") -> bool:
    """An information-centre administrator in the public schema. Returns False if it existed."""
    User = get_user_model()
    with schema_context("public"):
        if User.objects.filter(username=username).exists():
            return False
        User.objects.create_superuser(username=username, password=password, email=email)
    return True


UNIT_PROFILE_FIELDS = (
    "name",
    "full_name",
    "unit_type",
    "address",
    "public_phone",
    "supervision_phone",
    "email",
    "functions",
    "site_id_code",
    "icp_number",
    "police_record_number",
    "sort_order",
    "min_distinct_people",
)


class UnitNameTaken(ProvisioningError):
    """A name (or alias) that is already another unit's name or alias."""

    def __init__(self, message: str, *, name: str):
        super().__init__(message)
        self.name = name


@transaction.atomic
def update_unit(*, unit: Unit, profile: dict, aliases: list[str]) -> Unit:
    """Save a unit's profile and its aliases together.

    A rename keeps the former name as an alias (Unit.save), so a 责任分解表 written under it
    still maps to the unit; `aliases` replaces the unit's other aliases. A name that is another
    unit's name or alias is refused, naming that unit.
    """
    wanted = [name for name in dict.fromkeys(a.strip() for a in aliases) if name]
    new_name = profile.get("name", unit.name)
    for name in [new_name, *wanted]:
        other = Unit.objects.filter(name=name).exclude(pk=unit.pk).first()
        if other is None:
            alias = UnitAlias.objects.filter(name=name).exclude(unit=unit).select_related("unit").first()
            other = alias.unit if alias is not None else None
        if other is not None:
            raise UnitNameTaken(f"「{name}」已是单位「{other.name}」的名称或别名", name=name)
    old_name = unit.name
    for field_name in UNIT_PROFILE_FIELDS:
        if field_name in profile:
            setattr(unit, field_name, profile[field_name])
    unit.full_clean(exclude=["schema_name"])
    unit.save()
    keep = set(wanted) | ({old_name} if old_name != unit.name else set())
    UnitAlias.objects.filter(unit=unit).exclude(name__in=keep).delete()
    for name in wanted:
        if name != unit.name:
            UnitAlias.objects.get_or_create(name=name, defaults={"unit": unit})
    return unit
