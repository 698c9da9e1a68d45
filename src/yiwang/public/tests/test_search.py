"""Item search on the home page: partial Chinese, pinyin initials, codes, category and level."""

from __future__ import annotations

import pytest

from yiwang.public.selectors import initials, match_rank, normalize_query, search_items

LAW_FIRM = "律师事务所设立许可"  # SF-LS-006


def test_initials_follow_the_reading_in_context() -> None:
    assert initials(LAW_FIRM) == "lsswsslxk"
    assert initials("银行行政") == "yhxz"
    # One key per character, whatever is in the name.
    name = "律师事务所（分所）A1"
    assert len(initials(name)) == len(name)


def test_match_rank_prefers_runs_then_early_starts() -> None:
    assert match_rank("事务所", LAW_FIRM) == (0, 2)
    assert match_rank("律所", LAW_FIRM) == (1, 0)
    assert match_rank("律所", "基层法律服务所设立") == (1, 3)
    assert match_rank("lssw", LAW_FIRM) == (0, 0)
    assert match_rank("律ssw", LAW_FIRM) == (0, 0)  # characters and initials mixed
    assert match_rank("律sw", LAW_FIRM) == (1, 0)
    assert match_rank("所律", LAW_FIRM) is None
    # Scattered initials alone would match nearly everything.
    assert match_rank("lk", LAW_FIRM) is None


def test_queries_are_folded() -> None:
    assert normalize_query(" ＬＳ ｓｗ ") == "lssw"
    assert len(normalize_query("律" * 80)) == 50


@pytest.mark.django_db
def test_partial_chinese_finds_law_firm_items_first(demo_province: None) -> None:
    results = search_items("律所")
    names = [v.name for v in results.items]
    assert names[0] == LAW_FIRM
    assert all("律" in n and "所" in n for n in names)
    assert "律师执业许可（专职、兼职律师）" not in names


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["lssw", "LSSWS", "lsswssl"])
def test_pinyin_initials_find_law_firm_items(demo_province: None, query: str) -> None:
    results = search_items(query)
    assert results.items[0].name == LAW_FIRM
    assert all(initials(v.name).find(query.lower()) >= 0 for v in results.items)


@pytest.mark.django_db
def test_codes_match(demo_province: None) -> None:
    assert [v.item.code for v in search_items("sf-ls-006").items] == ["SF-LS-006"]
    assert {v.item.code[:5] for v in search_items("SF-JD").items} == {"SF-JD"}


@pytest.mark.django_db
def test_category_and_level_filter(demo_province: None) -> None:
    everything = search_items()
    assert len(everything.items) == everything.total == 43
    licences = search_items(category="行政许可")
    assert licences.items and all(v.category == "行政许可" for v in licences.items)
    assert len(licences.items) < 43
    county = search_items(level="county")
    assert county.items
    assert all("county" in (v.accept_level, v.decide_level) for v in county.items)
    assert "SF-LS-006" in {v.item.code for v in county.items}  # accepted at county level
    # Facet counts describe what the other filters leave.
    assert {f.value: f.count for f in county.categories}["行政许可"] == len(
        search_items(category="行政许可", level="county").items
    )
    # Values that are not choices are ignored rather than emptying the page.
    assert len(search_items(category="nonsense", level="moon").items) == 43


@pytest.mark.django_db
def test_home_lists_results_with_their_facts(
    demo_province: None, client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(2):
        response = client.get("/", {"q": "律所"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert 'href="/items/SF-LS-006/"' in html
    assert LAW_FIRM in html
    assert "全程网办" in html
    assert "4 个工作日" in html and "30 个工作日" in html  # promised and statutory
    assert 'aria-live="polite"' in html
    assert '<label for="q">' in html and '<label for="category">' in html
    assert 'hx-get="/"' in html


@pytest.mark.django_db
def test_home_without_query_shows_the_whole_catalogue(
    demo_province: None, client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(2):
        response = client.get("/")
    html = response.content.decode()
    assert html.count('<li class="card result">') == 43
    assert "全部事项" in html


@pytest.mark.django_db
def test_htmx_request_gets_the_results_only(demo_province: None, client) -> None:
    response = client.get("/", {"q": "lssws"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert html.lstrip().startswith('<section class="results"')
    assert LAW_FIRM in html
    assert "HX-Request" in response["Vary"]
    # Restoring history after a cache miss needs the whole page.
    restore = client.get(
        "/", {"q": "lssws"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode()


@pytest.mark.django_db
def test_empty_results_say_so_and_suggest_browsing(demo_province: None, client) -> None:
    html = client.get("/", {"q": "火星登陆许可"}).content.decode()
    assert "没有找到与“火星登陆许可”相关的事项" in html
    assert "按上面的类型或层级浏览" in html
    assert '<li class="card result">' not in html


@pytest.mark.django_db
def test_home_browses_by_category_and_level(demo_province: None, client) -> None:
    html = client.get("/", {"category": "公共服务", "level": "county"}).content.decode()
    assert "法律援助申请审查（给予法律援助）" in html  # SF-FY-001: 公共服务, county
    assert "律师事务所设立许可" not in html  # 行政许可
    assert 'aria-current="true">公共服务（' in html
    assert 'aria-current="true">县级（' in html
    assert '<option value="公共服务" selected>' in html
