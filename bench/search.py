"""Portal search benchmark: 100 units × 1,000 documents of synthetic 政务 text.

Run from the repository root:  .venv/bin/python -m bench.search [--units 100] [--per-unit 1000] [--curve | --sizes N,N]

Uses its own database (govplatform_bench on the embedded server unless
BENCH_DATABASE_URL is set), writes PortalDocument rows directly through the
backend's upsert with synthetic unit codes (no unit schemas), and measures
indexing throughput and warm search latency over a fixed set of queries
(50 plain ones, and 繁体, 文号 fragments, synonyms and queries with optional
words), against an unsegmented ILIKE '%词%' scan of the same table as the
baseline. The relevance set (bench/search_relevance.json: needle documents
added to the corpus and the queries that must find them) gives recall (of the
expected documents in the first page) and top-1. The last line printed is one
JSON object.

With --curve (300,000 and 1,000,000 documents) or --sizes, the same corpus
then grows to each size (more units of 1,000 documents; the first 100 units
are the ones above, the relevance set stays in), and at each size the same
queries and relevance set are measured again, without the ILIKE baseline (a
scan per query, minutes each at a million). Those figures are under "curve"
in the JSON; the documents are removed afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEVANCE_SET = Path(__file__).resolve().parent / "search_relevance.json"
BENCH_DB = "govplatform_bench"
DEFAULT_URL = f"postgresql://postgres:@/{BENCH_DB}?host={ROOT / '.pgdata'}"

DEPARTMENTS = [
    "发展和改革局",
    "教育局",
    "科技创新局",
    "工业和信息化局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人力资源和社会保障局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化广电旅游体育局",
    "卫生健康局",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "市场监督管理局",
    "统计局",
    "医疗保障局",
    "政务服务和数据管理局",
    "城市管理和综合执法局",
    "海洋发展局",
    "国有资产监督管理委员会",
    "港口管理局",
    "口岸局",
    "金融工作局",
    "信访局",
]
DISTRICTS = ["香洲区", "金湾区", "斗门区", "高新区", "高栏港经济区", "万山海洋开发试验区", "横琴粤澳深度合作区"]
# The issuer part of each unit's 文号 (珠发改〔2024〕17号): how Zhuhai abbreviates its departments.
ISSUERS = {
    "发展和改革局": "发改",
    "教育局": "教",
    "科技创新局": "科创",
    "工业和信息化局": "工信",
    "公安局": "公",
    "民政局": "民",
    "司法局": "司法",
    "财政局": "财",
    "人力资源和社会保障局": "人社",
    "自然资源局": "自然资源",
    "生态环境局": "环",
    "住房和城乡建设局": "建",
    "交通运输局": "交运",
    "水务局": "水",
    "农业农村局": "农",
    "商务局": "商务",
    "文化广电旅游体育局": "文旅",
    "卫生健康局": "卫健",
    "退役军人事务局": "退役军人",
    "应急管理局": "应急",
    "审计局": "审",
    "市场监督管理局": "市监",
    "统计局": "统",
    "医疗保障局": "医保",
    "政务服务和数据管理局": "政数",
    "城市管理和综合执法局": "城管",
    "海洋发展局": "海洋",
    "国有资产监督管理委员会": "国资",
    "港口管理局": "港",
    "口岸局": "口",
    "金融工作局": "金融",
    "信访局": "信访",
    "香洲区": "香",
    "金湾区": "金",
    "斗门区": "斗",
    "高新区": "高新",
    "高栏港经济区": "高栏",
    "万山海洋开发试验区": "万山",
    "横琴粤澳深度合作区": "琴",
}
TOPICS = [
    "营商环境",
    "乡村振兴",
    "安全生产",
    "高质量发展",
    "数字政府建设",
    "垃圾分类",
    "人才引进",
    "科技创新",
    "招商引资",
    "城市更新",
    "生态环境保护",
    "河长制",
    "食品安全",
    "社会保障",
    "医疗保障",
    "义务教育",
    "住房保障",
    "交通基础设施",
    "港珠澳大桥",
    "粤港澳大湾区建设",
    "横琴开发",
    "民营经济",
    "中小企业发展",
    "消防安全",
    "防汛防风",
    "政务公开",
    "政府采购",
    "行政审批制度改革",
    "放管服改革",
    "文明城市创建",
    "全民健身",
    "文化旅游",
    "海洋经济",
    "现代产业体系",
    "新型城镇化",
    "国民经济发展规划",
    "财政预算",
    "审计整改",
    "统计调查",
    "就业创业",
    "养老服务",
    "残疾人保障",
    "法治政府建设",
    "信访工作",
    "耕地保护",
    "水资源管理",
    "大气污染防治",
    "碳达峰碳中和",
    "新能源汽车",
    "集成电路产业",
    "生物医药",
    "智慧城市",
    "一网通办",
    "12345热线",
    "老旧小区改造",
    "农村人居环境整治",
    "校外培训治理",
    "疫苗接种",
    "扫黑除恶",
    "禁毒工作",
]
ACTIONS = ["召开", "部署", "推进", "开展", "组织", "举办", "落实", "加快", "深化", "完善", "启动", "加强"]
PRINCIPLES = ["以人民为中心", "稳中求进工作总基调", "新发展理念", "系统观念", "底线思维", "问题导向"]
POLICIES = ["党中央、国务院决策部署", "省委、省政府工作要求", "市委、市政府工作部署", "《中华人民共和国政府信息公开条例》"]
TITLE_TEMPLATES = {
    "news": [
        "{subject}{action}{topic}工作会议",
        "{subject}{action}{topic}专题调研",
        "我市{topic}工作取得新进展",
        "{subject}召开{topic}推进会",
    ],
    "notice": ["{subject}关于{topic}项目的公示", "关于{action}{topic}工作的通告", "{subject}{topic}专项资金拟安排项目公示"],
    "policy_document": [
        "关于印发《珠海市{topic}实施方案》的通知",
        "珠海市人民政府关于{action}{topic}的意见",
        "关于进一步{action}{topic}的若干措施",
    ],
    "plan": ["珠海市{topic}三年行动计划（2026—2028年）", "{subject}{topic}“十五五”规划"],
}
SENTENCES = [
    "为深入贯彻落实{policy}，进一步{action}{topic}，{subject}结合本市实际，制定本方案。",
    "会议强调，要坚持{principle}，统筹推进{topic}和{topic2}，确保各项任务落到实处。",
    "{year}年以来，全市{topic}工作取得明显成效，累计完成投资{n}亿元，同比增长{p}%。",
    "各区、各部门要高度重视，加强组织领导，压实工作责任，形成工作合力。",
    "请各单位于{month}月{day}日前将{topic}工作进展情况报送{subject}。",
    "下一步，{subject}将持续{action}{topic}，不断提升人民群众的获得感、幸福感、安全感。",
    "会议听取了{topic}工作情况汇报，研究部署了{topic2}相关工作。",
    "公示期间，如有异议，请以书面形式向{subject}反映，联系电话：0756-{phone}。",
    "本方案自印发之日起施行，有效期{years}年。",
    "坚持试点先行、分步实施，{action}{topic}与{topic2}协同联动。",
    "各地要建立健全{topic}长效机制，强化监督检查，严肃追责问责。",
    "{subject}主要负责同志出席会议并讲话，对{topic}工作提出明确要求。",
]
CATEGORIES = {
    "news": ["工作动态", "政务要闻"],
    "notice": ["通知公告", "公示公告"],
    "policy_document": ["政策文件", "规范性文件"],
    "plan": ["规划计划"],
}
TYPE_WEIGHTS = [("news", 50), ("notice", 20), ("policy_document", 20), ("plan", 10)]

ONE_WORD = [
    "营商环境",
    "乡村振兴",
    "安全生产",
    "垃圾分类",
    "人才引进",
    "科技创新",
    "招商引资",
    "城市更新",
    "食品安全",
    "养老服务",
    "政府采购",
    "防汛防风",
    "港珠澳大桥",
    "横琴",
    "碳达峰",
    "集成电路",
    "一网通办",
    "发展规划",
    "信访",
    "耕地保护",
]
TWO_WORDS = [
    "营商环境 改革",
    "乡村振兴 资金",
    "安全生产 检查",
    "垃圾分类 宣传",
    "人才引进 政策",
    "科技创新 企业",
    "城市更新 项目",
    "食品安全 监管",
    "养老服务 补贴",
    "政府采购 公示",
    "防汛防风 应急",
    "智慧城市 建设",
    "老旧小区改造 公示",
    "新能源汽车 产业",
    "医疗保障 基金",
]
# What citizens type that plain segmentation would not find (timed with the others).
TRADITIONAL = ["營商環境", "鄉村振興", "安全生產", "垃圾分類", "人才引進", "養老服務", "碳達峰", "智慧城市 建設"]
DOC_NUMBER_FRAGMENTS = ["发改", "珠工信", "人社 2024", "珠发改〔2024〕", "珠交运[2023]5号", "珠卫健【2025】第12号"]
SYNONYM_QUERIES = ["发改委", "社保", "医保 基金", "住建 城市更新", "市监 食品安全", "文旅"]
OPTIONAL_WORDS = ["2024年垃圾分类", "12345热线", "2023年 乡村振兴 资金"]


def _configure_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "govplatform.settings.dev"
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    import psycopg2

    from govplatform.env import database_config

    config = database_config(url)
    admin = psycopg2.connect(
        dbname="postgres", user=config["USER"], password=config["PASSWORD"], host=config["HOST"], port=config["PORT"] or None
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", schema_name="public", interactive=False, verbosity=0)


def generate(*, units: int, per_unit: int, seed: int = 20261127):
    from search.backends.base import PortalDoc

    rng = random.Random(seed)
    departments = [*DEPARTMENTS, *DISTRICTS]
    names = [f"珠海市{d}" for d in departments]
    types, weights = zip(*TYPE_WEIGHTS, strict=False)
    for u in range(units):
        code = f"u{u:03d}"
        unit_name = names[u % len(names)] + ("" if u < len(names) else f"（{u // len(names) + 1}）")
        issuer = "珠" + ISSUERS[departments[u % len(departments)]]
        for i in range(per_unit):
            page_type = rng.choices(types, weights)[0]
            topic, topic2 = rng.sample(TOPICS, 2)
            fill = {
                "subject": rng.choice(names),
                "action": rng.choice(ACTIONS),
                "topic": topic,
                "topic2": topic2,
                "principle": rng.choice(PRINCIPLES),
                "policy": rng.choice(POLICIES),
            }
            title = rng.choice(TITLE_TEMPLATES[page_type]).format(**fill)
            sentences = []
            for _ in range(rng.randint(8, 16)):
                values = {
                    **fill,
                    "topic": rng.choice((topic, topic, rng.choice(TOPICS))),
                    "topic2": rng.choice(TOPICS),
                    "year": rng.randint(2019, 2026),
                    "n": rng.randint(1, 300),
                    "p": rng.randint(1, 40),
                    "month": rng.randint(1, 12),
                    "day": rng.randint(1, 28),
                    "phone": rng.randint(2000000, 8999999),
                    "years": rng.randint(2, 5),
                }
                sentences.append(rng.choice(SENTENCES).format(**values))
            body = "".join(sentences)
            day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 2860))
            is_policy = page_type == "policy_document"
            yield PortalDoc(
                schema_name=f"bench_{code}",
                page_id=i + 1,
                unit_code=code,
                unit_name=unit_name,
                column_path=[CATEGORIES[page_type][0]],
                column_title=CATEGORIES[page_type][0],
                page_type=page_type,
                categories=CATEGORIES[page_type],
                publish_date=day,
                written_date=day - dt.timedelta(days=3) if is_policy else None,
                year=day.year,
                published_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC),
                url=f"http://{code}.localhost/column/{i + 1}/",
                title=title,
                summary=body[:120],
                body=body,
                doc_number=f"{issuer}〔{day.year}〕{rng.randint(1, 300)}号" if is_policy else "",
                issuing_body=unit_name if page_type != "news" else "",
                subject_words=topic if is_policy else "",
                index_number=f"11440400{u:04d}-{day.year}-{i:05d}" if is_policy else "",
                validity="有效" if is_policy else "",
            )


def load_relevance_set() -> dict:
    return json.loads(RELEVANCE_SET.read_text(encoding="utf-8"))


def needle_documents(relevance: dict):
    """The relevance set's documents, in the corpus like any other (keys bench_needle:<id>)."""
    from search.backends.base import PortalDoc

    names = {f"u{u:03d}": f"珠海市{d}" for u, d in enumerate([*DEPARTMENTS, *DISTRICTS])}
    for needle in relevance["needles"]:
        day = dt.date.fromisoformat(needle["date"])
        page_type = needle["type"]
        column = CATEGORIES.get(page_type, ["办事指南"])
        yield PortalDoc(
            schema_name="bench_needle",
            page_id=needle["id"],
            unit_code=needle["unit"],
            unit_name=names.get(needle["unit"], needle["unit"]),
            column_path=[column[0]],
            column_title=column[0],
            page_type=page_type,
            categories=column,
            publish_date=day,
            written_date=None,
            year=day.year,
            published_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC),
            url=f"http://{needle['unit']}.localhost/needle/{needle['id']}/",
            title=needle["title"],
            summary=needle["body"][:120],
            body=needle["body"],
            doc_number=needle["doc_number"],
            issuing_body=names.get(needle["unit"], "") if page_type != "news" else "",
            validity=needle["validity"],
        )


def relevance(backend, relevance_set: dict) -> dict:
    """Recall (expected needles on the first page) and top-1 (the needle that must come first is first)."""
    from search.backends.base import SearchQuery

    recalls, tops, misses = [], [], []
    by_kind: dict[str, list[float]] = {}
    for case in relevance_set["queries"]:
        expected = {f"bench_needle:{i}" for i in case["expected"]}
        tops_allowed = {f"bench_needle:{case['top']}"} if "top" in case else expected
        hits = [hit.key for hit in backend.search(SearchQuery(text=case["q"], **case.get("filters", {}))).hits]
        recall = len(expected & set(hits)) / len(expected)
        first = bool(hits) and hits[0] in tops_allowed
        recalls.append(recall)
        tops.append(1.0 if first else 0.0)
        by_kind.setdefault(case["kind"], []).append(recall)
        if recall < 1 or not first:
            misses.append(case["q"])
    return {
        "relevance_queries": len(recalls),
        "recall": round(statistics.mean(recalls), 3),
        "top1": round(statistics.mean(tops), 3),
        "recall_by_kind": {kind: round(statistics.mean(values), 3) for kind, values in by_kind.items()},
        "relevance_misses": misses,
    }


def forgiving_queries():
    from search.backends.base import SearchQuery

    return [
        *(SearchQuery(text=w) for w in TRADITIONAL),
        *(SearchQuery(text=w) for w in DOC_NUMBER_FRAGMENTS),
        *(SearchQuery(text=w) for w in SYNONYM_QUERIES),
        *(SearchQuery(text=w) for w in OPTIONAL_WORDS),
    ]


def queries(*, units: int):
    from search.backends.base import SearchQuery

    rng = random.Random(7)
    fixed = [SearchQuery(text=w) for w in ONE_WORD] + [SearchQuery(text=w) for w in TWO_WORDS]
    filters = [
        {"unit": "u003"},
        {"page_type": "policy_document"},
        {"year": 2024},
        {"category": "通知公告"},
        {"unit": "u042", "year": 2023},
        {"page_type": "news", "year": 2025},
    ]
    words = ONE_WORD[:10] + TWO_WORDS[:5]
    for n in range(15):
        extra = dict(filters[n % len(filters)])
        if "unit" in extra:
            extra["unit"] = f"u{rng.randrange(units):03d}"
        fixed.append(SearchQuery(text=words[n], order="date" if n % 3 == 0 else "relevance", **extra))
    return fixed


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def time_queries(run, qs, *, rounds: int = 3) -> list[float]:
    for q in qs:  # warm-up
        run(q)
    samples = []
    for _ in range(rounds):
        for q in qs:
            started = time.perf_counter()
            run(q)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def ilike_baseline(q) -> int:
    """What a site without word segmentation does: substring scans, newest first, plus the count."""
    from django.db import connection

    from search.backends.postgres import TABLE

    clauses, params = [], []
    for term in q.text.split():
        clauses.append("(title ILIKE %s OR body ILIKE %s)")
        params += [f"%{term}%", f"%{term}%"]
    for column, value in (("unit_code", q.unit), ("page_type", q.page_type), ("year", q.year)):
        if value:
            clauses.append(f"{column} = %s")
            params.append(value)
    if q.category:
        clauses.append("categories @> ARRAY[%s]::varchar[]")
        params.append(q.category)
    where = " AND ".join(clauses)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, title FROM {TABLE} WHERE {where} ORDER BY publish_date DESC LIMIT 10", params)
        cursor.fetchall()
        cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", params)
        return cursor.fetchone()[0]


def index_all(backend, docs, *, batch: int = 5000) -> float:
    started = time.perf_counter()
    for start in range(0, len(docs), batch):
        backend.upsert(docs[start : start + batch])
    return time.perf_counter() - started


CURVE_SIZES = (300_000, 1_000_000)
# Documents generated and written per step while the corpus grows (memory stays flat).
CURVE_CHUNK = 5000


def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"文档数须为逗号分隔的整数：{text}") from error
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError(f"文档数须为正整数：{text}")
    return sizes


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--per-unit", type=int, default=1000)
    curve = parser.add_mutually_exclusive_group()
    curve.add_argument("--curve", action="store_true", help="also measure at 300,000 and 1,000,000 documents")
    curve.add_argument("--sizes", type=_sizes, help="the curve's sizes, e.g. 300000,1000000 (generated documents)")
    parser.add_argument("--keep", action="store_true", help="leave the curve's documents in the bench database")
    args = parser.parse_args()
    args.sizes = args.sizes or (list(CURVE_SIZES) if args.curve else [])
    first = args.units * args.per_unit
    for size in args.sizes:
        if size <= first or size % args.per_unit:
            parser.error(f"曲线的文档数须大于 {first} 且为 {args.per_unit} 的整数倍：{size}")
    return args


def main() -> None:
    args = _arguments()
    _configure_django()
    from django.conf import settings
    from django.db import connection

    from search.backends.postgres import INDEX_TABLES, PostgresBackend

    started = time.perf_counter()
    relevance_set = load_relevance_set()
    # One generator for the largest size: its first units are the default corpus, the curve reads on.
    corpus = generate(units=max([args.units * args.per_unit, *args.sizes]) // args.per_unit, per_unit=args.per_unit)
    docs = list(itertools.islice(corpus, args.units * args.per_unit)) + list(needle_documents(relevance_set))
    print(
        f"生成 {len(docs)} 篇文档，平均正文 {statistics.mean(len(d.body) for d in docs):.0f} 字，用时 {time.perf_counter() - started:.1f} 秒"
    )
    backend = PostgresBackend()
    backend.reset()
    seconds = index_all(backend, docs)
    with connection.cursor() as cursor:
        for table in INDEX_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    rate = len(docs) / seconds
    print(f"PostgreSQL 索引：{len(docs)} 篇，{seconds:.1f} 秒，{rate:.0f} 篇/秒")
    plain = queries(units=args.units)
    forgiving = forgiving_queries()
    qs = plain + forgiving
    ours = time_queries(backend.search, qs)
    base = time_queries(ilike_baseline, plain)
    # The forgiving queries alone (繁体, 文号 fragments, synonyms, optional words), from the same rounds.
    rounds = [ours[start : start + len(qs)] for start in range(0, len(ours), len(qs))]
    forgiving_samples = [sample for chunk in rounds for sample in chunk[len(plain) :]]
    result = {
        "docs": len(docs),
        "index_docs_per_s": round(rate),
        "queries": len(qs),
        "p50_ms": round(statistics.median(ours), 1),
        "p95_ms": round(percentile(ours, 95), 1),
        "forgiving_queries": len(forgiving),
        "forgiving_p50_ms": round(statistics.median(forgiving_samples), 1),
        "forgiving_p95_ms": round(percentile(forgiving_samples, 95), 1),
        "baseline_p50_ms": round(statistics.median(base), 1),
        "baseline_p95_ms": round(percentile(base, 95), 1),
    }
    result["ratio"] = round(result["baseline_p95_ms"] / result["p95_ms"], 1)
    totals = [backend.search(q).total for q in qs]
    print(
        f"检索（{len(qs)} 条查询 × 3 轮，含分面统计；其中繁体、文号片段、同义词和可缺词 {len(forgiving)} 条）："
        f"p50 {result['p50_ms']} ms，p95 {result['p95_ms']} ms（这 {len(forgiving)} 条 p95 {result['forgiving_p95_ms']} ms）；"
        f"命中数中位 {statistics.median(totals):.0f}，最多 {max(totals)}"
    )
    print(
        f"基线 ILIKE（{len(plain)} 条普通查询）：p50 {result['baseline_p50_ms']} ms，p95 {result['baseline_p95_ms']} ms；比值 {result['ratio']}×"
    )
    result.update(relevance(backend, relevance_set))
    print(
        f"相关性（{result['relevance_queries']} 条查询）：召回率 {result['recall']}，首条命中率 {result['top1']}；"
        f"未达预期：{'、'.join(result['relevance_misses']) or '无'}"
    )
    if os.environ.get("ELASTICSEARCH_URL"):
        result["elasticsearch"] = bench_elasticsearch(docs, qs, settings)
    if args.sizes:
        needles = len(relevance_set["needles"])
        del docs
        try:
            result["curve"] = scale_curve(
                backend,
                corpus,
                sizes=args.sizes,
                indexed=args.units * args.per_unit,
                per_unit=args.per_unit,
                needles=needles,
                relevance_set=relevance_set,
            )
        finally:
            if not args.keep:
                with connection.cursor() as cursor:
                    # Faster than the next run's reset() deleting a million rows, and leaves no bloat behind.
                    cursor.execute(f"TRUNCATE {', '.join(INDEX_TABLES)}")
    print(json.dumps(result, ensure_ascii=False))


def _vacuum() -> None:
    from django.db import connection

    from search.backends.postgres import INDEX_TABLES

    with connection.cursor() as cursor:
        for table in INDEX_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _index_size_mb() -> dict[str, int]:
    """What the index occupies on disk (tables with their TOAST and indexes), and its GIN indexes alone."""
    from django.db import connection

    from search.backends.postgres import INDEX_TABLES, MATCHES

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT sum(pg_total_relation_size(t::regclass)) FROM unnest(%s::text[]) AS t), "
            "(SELECT sum(pg_relation_size(indexrelid)) FROM pg_index JOIN pg_class ON pg_class.oid = indexrelid "
            "WHERE indrelid = %s::regclass AND relam = (SELECT oid FROM pg_am WHERE amname = 'gin')), "
            "(SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers')",
            [list(INDEX_TABLES), MATCHES],
        )
        total, gin, shared_buffers = cursor.fetchone()
    return {"index_mb": round(total / 2**20), "gin_mb": round(gin / 2**20), "shared_buffers_mb": round(shared_buffers / 2**20)}


def scale_curve(
    backend, corpus, *, sizes: list[int], indexed: int, per_unit: int, needles: int, relevance_set: dict
) -> list[dict]:
    """Grow the index from `indexed` generated documents to each size, and measure the same searches at each.

    The indexing rate is that of each step's documents, written into the
    index as it already is (generating them is not counted).
    """
    points = []
    for size in sizes:
        seconds, added = 0.0, 0
        while indexed < size:
            chunk = list(itertools.islice(corpus, min(CURVE_CHUNK, size - indexed)))
            started = time.perf_counter()
            backend.upsert(chunk)
            seconds += time.perf_counter() - started
            indexed += len(chunk)
            added += len(chunk)
        _vacuum()
        point = measure_size(backend, units=size // per_unit, relevance_set=relevance_set)
        point = {"docs": size + needles, "index_docs_per_s": round(added / seconds), "index_seconds": round(seconds, 1), **point}
        print(
            f"曲线 {point['docs']} 篇（{point['units']} 个单位）：索引 {point['index_docs_per_s']} 篇/秒；"
            f"检索 p50 {point['p50_ms']} ms，p95 {point['p95_ms']} ms（繁体等 {point['forgiving_queries']} 条 p95 "
            f"{point['forgiving_p95_ms']} ms）；召回率 {point['recall']}，首条命中率 {point['top1']}；索引占用 {point['index_mb']} MB"
        )
        points.append(point)
    return points


def measure_size(backend, *, units: int, relevance_set: dict) -> dict:
    """The default run's queries (their unit filters drawn from `units`) timed warm, and the relevance set, on the index as it is."""
    plain, forgiving = queries(units=units), forgiving_queries()
    qs = plain + forgiving
    samples = time_queries(backend.search, qs)
    per_query = [samples[n :: len(qs)] for n in range(len(qs))]
    slowest = sorted(range(len(qs)), key=lambda n: statistics.median(per_query[n]), reverse=True)[:5]
    forgiving_samples = [sample for n in range(len(plain), len(qs)) for sample in per_query[n]]
    totals = [backend.search(q).total for q in qs]
    point = {
        "units": units,
        "queries": len(qs),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 95), 1),
        "max_ms": round(max(samples), 1),
        "forgiving_queries": len(forgiving),
        "forgiving_p95_ms": round(percentile(forgiving_samples, 95), 1),
        "matches_median": round(statistics.median(totals)),
        "matches_max": max(totals),
        "slowest": [
            {"q": _describe(qs[n]), "median_ms": round(statistics.median(per_query[n]), 1), "matches": totals[n]} for n in slowest
        ],
        **_index_size_mb(),
    }
    figures = relevance(backend, relevance_set)
    point.update(recall=figures["recall"], top1=figures["top1"], relevance_misses=figures["relevance_misses"])
    return point


def _describe(q) -> str:
    from search.backends.base import Order

    filters = [f"{name}={value}" for name in ("unit", "page_type", "year", "category") if (value := getattr(q, name))]
    order = [] if q.effective_order == Order.RELEVANCE else [f"order={q.effective_order}"]
    return " ".join([q.text, *filters, *order])


def bench_elasticsearch(docs, qs, settings) -> dict:
    from search.backends.elastic import ElasticsearchBackend

    backend = ElasticsearchBackend(
        url=os.environ["ELASTICSEARCH_URL"],
        index=f"{settings.ELASTICSEARCH_INDEX}-bench",
        analyzer=getattr(settings, "ELASTICSEARCH_ANALYZER", "cjk"),
    )
    started = time.perf_counter()
    backend.rebuild(docs)
    seconds = time.perf_counter() - started
    samples = time_queries(backend.search, qs)
    figures = {
        "index_docs_per_s": round(len(docs) / seconds),
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 95), 1),
    }
    print(f"Elasticsearch：索引 {figures['index_docs_per_s']} 篇/秒，p50 {figures['p50_ms']} ms，p95 {figures['p95_ms']} ms")
    return figures


if __name__ == "__main__":
    main()
