"""Validity facet, forgiving search and the synonym list.

- Facet cells carry the 有效性 of policy documents (their id hashes it only when
  there is one, so other cells keep theirs); every match is moved to its cell.
- Categories were split at every 、, also inside brackets: 行政审批(含行政许可、
  非行政许可审批事项) became two bogus values. Index rows with such pieces are
  joined again and split only at top-level separators, and moved to their cells.
- The synonym list starts with the common abbreviations of Zhuhai's departments;
  the information centre edits it in its admin (检索同义词).

Indexed text is normalised (繁体, 文号) only when written: run `manage.py
reindex_portal` once after this migration for documents indexed before it.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

DOCUMENTS = "portalsearch_portaldocument"
MATCHES = "portalsearch_portalmatch"
CELLS = "portalsearch_portalfacetcell"
# search.backends.postgres.facet_cell_id in SQL, with the validity appended when there is one.
CELL_ID = (
    "('x' || left(md5(concat_ws(chr(31), d.unit_code, d.unit_name, d.page_type, coalesce(d.year::text, ''), "
    "array_to_string(d.categories, chr(30))) || CASE WHEN d.validity <> '' THEN chr(31) || d.validity ELSE '' END), "
    "16))::bit(64)::bigint"
)
CELLS_AND_MATCHES = [
    f"INSERT INTO {CELLS} (id, unit_code, unit_name, page_type, year, categories, validity) "
    f"SELECT DISTINCT ON (1) {CELL_ID}, d.unit_code, d.unit_name, d.page_type, d.year, d.categories, d.validity "
    f"FROM {DOCUMENTS} AS d ON CONFLICT (id) DO NOTHING",
    f"UPDATE {MATCHES} AS m SET facet_cell = {CELL_ID} FROM {DOCUMENTS} AS d "
    f"WHERE m.key = d.key AND m.facet_cell <> {CELL_ID}",
]

# columns.table.rows.split_categories as it is today (a migration keeps its own copy).
_SEPARATORS = "；;、"
_OPENING = "(（[［【〔《"
_CLOSING = ")）]］】〕》"


def _unbalanced(category: str) -> bool:
    return sum(category.count(c) for c in _OPENING) != sum(category.count(c) for c in _CLOSING)


def split_outside_brackets(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth = max(depth - 1, 0)
        elif char in _SEPARATORS and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    categories: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in categories:
            categories.append(part)
    return categories


def repair_categories(categories: list[str]) -> list[str]:
    """Pieces of categories split inside brackets joined again (they were split at 、)."""
    if not any(_unbalanced(c) for c in categories):
        return list(categories)
    return split_outside_brackets("、".join(categories))


def repair_index_rows(apps, schema_editor) -> None:
    PortalDocument = apps.get_model("portalsearch", "PortalDocument")
    broken = []
    for key, categories in PortalDocument.objects.exclude(categories=[]).values_list("key", "categories").iterator():
        repaired = repair_categories(categories)
        if repaired != list(categories):
            broken.append((key, repaired))
    for key, repaired in broken:
        PortalDocument.objects.filter(key=key).update(categories=repaired)
    with schema_editor.connection.cursor() as cursor:
        for statement in CELLS_AND_MATCHES:
            cursor.execute(statement)


SYNONYMS = [
    ("发改委 发展改革局 发展和改革局 发改局", "市发展和改革局的常用简称"),
    ("社保 社会保险", ""),
    ("公积金 住房公积金", ""),
    ("医保 医疗保障 医疗保险", ""),
    ("人社 人力资源和社会保障 人力资源社会保障", ""),
    ("住建 住房和城乡建设 住房城乡建设", ""),
    ("市监 市场监管 市场监督管理", ""),
    ("卫健 卫生健康", ""),
    ("工信 工业和信息化", ""),
    ("政数局 政务服务和数据管理局 政务服务数据管理局", ""),
    ("文旅 文化旅游 文化和旅游", ""),
    ("环保 环境保护", ""),
    ("新冠 新型冠状病毒", ""),
    ("退役军人 退役军人事务", ""),
]


def seed_synonyms(apps, schema_editor) -> None:
    SynonymSet = apps.get_model("portalsearch", "SynonymSet")
    for words, note in SYNONYMS:
        SynonymSet.objects.get_or_create(words=words, defaults={"note": note})


def unseed_synonyms(apps, schema_editor) -> None:
    SynonymSet = apps.get_model("portalsearch", "SynonymSet")
    SynonymSet.objects.filter(words__in=[words for words, _ in SYNONYMS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('portalsearch', '0006_backlog_check_schedule'),
    ]

    operations = [
        migrations.CreateModel(
            name='SynonymSet',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('words', models.CharField(help_text='意思相同的一组词，用空格、逗号、顿号或“⇄”分隔，如“社保 社会保险”。检索其中任何一个词时，同时检索其他词。每组至少两个词，每个词最多 30 个字。', max_length=500, verbose_name='同义词')),
                ('note', models.CharField(blank=True, help_text='这组同义词的来由或适用范围；可不填。', max_length=200, verbose_name='说明')),
                ('enabled', models.BooleanField(default=True, help_text='停用后检索不再使用这组同义词。', verbose_name='启用')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='修改时间')),
            ],
            options={
                'verbose_name': '检索同义词',
                'verbose_name_plural': '检索同义词',
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name='portalfacetcell',
            name='validity',
            field=models.CharField(blank=True, default='', max_length=20, verbose_name='有效性'),
        ),
        migrations.AlterField(
            model_name='portaldocument',
            name='categories',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=80), default=list, size=None, verbose_name='政务公开类别'),
        ),
        migrations.AlterField(
            model_name='portalfacetcell',
            name='categories',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=80), default=list, size=None, verbose_name='政务公开类别'),
        ),
        migrations.RunPython(repair_index_rows, migrations.RunPython.noop),
        migrations.RunPython(seed_synonyms, unseed_synonyms),
    ]
