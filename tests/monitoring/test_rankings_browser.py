"""The ranking page and its charts in headless Chromium, as the bureau reads them (issue 14 §3):
bars from zero, axis names whole, the school column frozen while the figures scroll, a trend that
says the place out of how many. Screenshots land in var/screenshots/ to be looked at."""

import pytest

from tests.test_browser import browser, shoot, sign_in  # noqa: F401  (browser is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "市第十二实验小学教育集团东湖校区"


@pytest.fixture
def ranked_exams(city):
    from monitoring.statistics import compute_exam
    from schools.models import SchoolType
    from tests.factories import SchoolFactory
    from tests.monitoring.factories import import_rows, make_exam, row

    primaries = [city.school_a, city.school_b, SchoolFactory(name=LONG_NAME)]
    primaries += [SchoolFactory(name=f"城南第{n}小学") for n in range(1, 9)]
    junior = SchoolType.objects.get(code="311")
    middles = [SchoolFactory(name=f"实验第{n}中学", school_type=junior) for n in range(1, 4)]
    schools = primaries + middles
    earlier = make_exam(schools=schools, code="JC-B1", name="三年级期中监测")
    later = make_exam(schools=schools, code="JC-B2", name="三年级期末监测", comparable_exam=earlier)
    for number, exam in enumerate((earlier, later)):
        rows = []
        for index, school in enumerate(schools):
            for student in range(3):
                n = index * 3 + student + 1
                # The last school scores far below the rest: its bar must still start at zero.
                score = 20 if index == len(schools) - 1 else 95 - index * 3 - student - number * (index % 3)
                rows.append(row(n, school, 1, score, score - 5))
        import_rows(exam, rows)
        compute_exam(exam)
    return later


def test_the_ranking_chart_starts_at_zero_names_are_whole_and_the_school_column_stays(
    browser,  # noqa: F811
    live_server,
    city,
    password,
    ranked_exams,
):
    page, errors = sign_in(browser, live_server, "bureau", password)
    page.goto(f"{live_server.url}/monitoring/exams/{ranked_exams.pk}/ranking/?category=all")
    page.wait_for_selector("[data-chart=ranking] svg")
    assert page.locator("section[data-category]").count() == 2  # 小学 and 初中 apart
    chart = page.locator("section[data-category=小学] [data-chart=ranking]")
    texts = chart.locator("svg text").all_text_contents()
    assert "0" in texts  # the value axis starts at zero
    assert "100" in texts  # ... and ends at full marks
    assert "平均分" in texts  # the axis name whole, not "平"
    assert LONG_NAME in "".join(texts) and not any(t.endswith(("…", "...")) for t in texts), texts  # not cut
    # The axis name lies inside the chart, not past its edge.
    box = chart.bounding_box()
    name = chart.locator("svg text", has_text="平均分").bounding_box()
    assert box["x"] <= name["x"] and name["x"] + name["width"] <= box["x"] + box["width"]
    shoot(page, "monitoring-ranking-by-category")

    table = page.locator("section[data-category=小学] .table-frozen")
    table.scroll_into_view_if_needed()
    first_cell = table.locator("tbody tr").first.locator(".frozen-col")
    before = first_cell.bounding_box()
    assert table.evaluate("el => el.scrollWidth > el.clientWidth")  # the 23 columns overflow...
    table.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    page.wait_for_timeout(100)
    after = first_cell.bounding_box()
    assert abs(after["x"] - before["x"]) < 1  # ...and the school column stays put
    # The last column came into view beside it.
    last = table.locator("thead th").last.bounding_box()
    assert last["x"] + last["width"] <= table.bounding_box()["x"] + table.bounding_box()["width"] + 1
    table.screenshot(path=str(_path("monitoring-ranking-table-scrolled")))
    assert not errors, errors


def test_the_trend_chart_says_the_place_out_of_how_many(browser, live_server, city, password, ranked_exams):  # noqa: F811
    page, errors = sign_in(browser, live_server, "bureau", password)
    page.goto(f"{live_server.url}/monitoring/schools/{city.school_b.pk}/")
    page.wait_for_selector("[data-chart=trend] svg")
    assert page.get_by_text("第 2 名 / 共 11 所").count() >= 1
    page.wait_for_timeout(1500)  # the line's drawing animation
    page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.querySelector('[data-chart=trend]'));
          chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 1});
        }"""
    )
    page.wait_for_timeout(300)
    tooltip = page.locator("[data-chart=trend] div", has_text="共 11 所").last
    assert "第 2 名 / 共 11 所" in tooltip.inner_text()
    shoot(page, "monitoring-trend-tooltip")
    assert not errors, errors


def _path(name):
    from tests.test_browser import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
