import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csvprep import rules_from_dict
from csvprep.model.rules import VariableRule
from csvprep.stages.variables.check import check_value, check_variables, normalise_value


@pytest.mark.parametrize("kind,raw,expected", [
    ("decimal", "1,234.50", "1234.50"),
    ("decimal", "$1,234.50", "1234.50"),
    ("decimal", " 12 ", "12"),
    ("decimal", "-.5", "-0.5"),
    ("decimal", "+007.25", "7.25"),
    ("integer", "1,234", "1234"),
    ("integer", "42.0", "42"),
    ("integer", "007", "7"),
    ("integer", "INR 1,500.00", "1500"),
    ("integer", "$ 99", "99"),
    ("decimal", "₹1,23,456.50", "123456.50"),  # Indian grouping: lakhs
    ("decimal", "Rs. 1,500", "1500"),
    ("decimal", "A$99.50", "99.50"),
    ("decimal", "CHF 1'234.50", "1234.50"),  # Swiss grouping
    ("decimal", "1\u202f234,50 €", "1234.50"),  # a narrow no-break space groups the thousands
    ("boolean", "Yes", "true"),
    ("boolean", "0", "false"),
    ("email", "a.b@example.co.uk", "a.b@example.co.uk"),
    ("date", "2026-01-31", "2026-01-31"),
    ("date", "31 January 2026", "2026-01-31"),
    ("date", "Jan 31, 2026", "2026-01-31"),
    ("date", "12/21/2026", "2026-12-21"),  # only month first makes a date
    ("date", "21/12/2026", "2026-12-21"),  # only day first does
    ("date", "21.12.26", "2026-12-21"),
    ("date", "05/05/2026", "2026-05-05"),  # both orders, one date
    ("date", "2026-01-31 14:30:00", "2026-01-31"),
    ("date", "31-Jan-2026", "2026-01-31"),  # Excel's d-mmm-yy
    ("date", "31-Jan-26", "2026-01-31"),
    ("date", "January 31st, 2026", "2026-01-31"),
    ("date", "2026-01-31T10:30:00.000Z", "2026-01-31"),  # a CRM's timestamp: the date as written
    ("date", "2026-01-31T23:30:00+05:30", "2026-01-31"),
    ("date", "2026-01-31T10:30", "2026-01-31"),
    ("date", "1/31/2026 0:00", "2026-01-31"),  # a spreadsheet's date-time cell
    ("date", "31/01/2026 10:30 PM", "2026-01-31"),
    ("string", "  Ann  ", "Ann"),
    ("string", "\u200bAnn\u200b", "Ann"),  # zero-width spaces left by a copy from a web page
    ("string", "#1 fan", "#1 fan"),  # a '#' alone is no spreadsheet error
    ("string", "#N/A please", "#N/A please"),
    ("string", "\u0915\u094d\u200d\u0937", "\u0915\u094d\u200d\u0937"),  # a joiner inside a Devanagari word stays
    ("email", "mailto:ann@example.com", "ann@example.com"),
    ("email", "Ann Lee <ann@example.com>", "ann@example.com"),
    ("string", '="000123"', "000123"),  # text exported so that Excel keeps its zeros
    ("string", '="say ""hi"""', 'say "hi"'),
    ("string", '="a" & "b"', '="a" & "b"'),  # a formula, not a wrapped text: left as written
    ("decimal", '="1,234.50"', "1234.50"),
])
def test_normalised(kind, raw, expected):
    assert normalise_value(raw, VariableRule("v", type=kind)) == expected


@pytest.mark.parametrize("variable,raw,problem", [
    (VariableRule("v", type="decimal"), "12..5", "expected a decimal number such as 1234.50"),
    (VariableRule("v", type="decimal"), "1,23.5", "expected a decimal number such as 1234.50"),
    (VariableRule("v", type="integer"), "4.5", "expected a whole number"),
    (VariableRule("v", type="date"), "2026-01-31T25:30:00Z", "expected a date such as 2025-01-31 or 2025/01/31 or "
                                                             "2025-01-31T14:30:00"),
    (VariableRule("v", type="date"), "31/01/2026 24:00", "expected a date such as 2025-01-31 or 2025/01/31 or "
                                                         "2025-01-31T14:30:00"),
    (VariableRule("v", type="date"), "03/04/2026 10:30", "ambiguous date: day and month order unknown; set "
                                     "formats = [\"%d/%m/%Y\"] (or \"%m/%d/%Y\") for this variable in the rules"),
    (VariableRule("v", type="decimal"), "1,234,56", "expected a decimal number such as 1234.50"),
    (VariableRule("v", type="decimal"), "12,34,5678", "expected a decimal number such as 1234.50"),
    (VariableRule("v", type="decimal"), "Rsx 12", "expected a decimal number such as 1234.50"),
    (VariableRule("v", type="boolean"), "maybe", "expected true/false (or yes/no, 1/0)"),
    (VariableRule("v", type="email"), "a@b", "expected an email address"),
    (VariableRule("v", type="date"), "2026-02-30", "expected a date such as 2025-01-31 or 2025/01/31 or 2025-01-31T14:30:00"),
    (VariableRule("v", type="date"), "03/04/2026", "ambiguous date: day and month order unknown; "
                                                   "set formats = [\"%d/%m/%Y\"] (or \"%m/%d/%Y\") for this variable in the rules"),
    (VariableRule("v", type="date"), "13/13/2026", "expected a date such as 2025-01-31 or 2025/01/31 or 2025-01-31T14:30:00"),
    (VariableRule("v", type="date"), "1/2/26", "ambiguous date: day and month order unknown; "
                                               "set formats = [\"%d/%m/%Y\"] (or \"%m/%d/%Y\") for this variable in the rules"),
    (VariableRule("v", type="date", formats=("%d/%m/%Y",)), "01/02/26", "expected a date such as 31/01/2025"),
    # a date cell exported as a plain number: Excel's serial, days since 1899-12-30
    (VariableRule("v", type="date"), "46053", "a spreadsheet's date serial number (2026-01-31?); format the column "
                                              "as dates in the spreadsheet and export it again"),
    (VariableRule("v", type="date", formats=("%d/%m/%Y",)), " 45658.0", "a spreadsheet's date serial number "
     "(2025-01-01?); format the column as dates in the spreadsheet and export it again"),
    (VariableRule("v", type="date"), "123456", "expected a date such as 2025-01-31 or 2025/01/31 or "
                                               "2025-01-31T14:30:00"),
    (VariableRule("v", type="enum", values=("Basic", "Pro")), "Gold", "expected one of Basic, Pro"),
    # a formula that failed: no value of any type, not even a string the agent would read out
    (VariableRule("v"), "#N/A", "a spreadsheet's error value (its formula failed); fix it in the spreadsheet and "
                                "export again"),
    (VariableRule("v", type="decimal"), " #value! ", "a spreadsheet's error value (its formula failed); fix it in "
                                                     "the spreadsheet and export again"),
    (VariableRule("v", required=True), "Err:502", "a spreadsheet's error value (its formula failed); fix it in the "
                                                  "spreadsheet and export again"),
    (VariableRule("v", max_length=3), "abcd", "longer than 3 characters"),
    (VariableRule("v", min_length=2), "a", "shorter than 2 characters"),
    (VariableRule("v", pattern=r"ORD-\d+"), "ORD-12x", r"does not match the pattern ORD-\d+"),
    (VariableRule("v", type="decimal", min=0), "-1", "less than 0"),
    (VariableRule("v", type="integer", max=10), "11", "greater than 10"),
])
def test_problems(variable, raw, problem):
    assert check_value(raw, variable) == problem


def test_enum_is_case_insensitive_unless_asked():
    assert normalise_value("pro", VariableRule("v", type="enum", values=("Basic", "Pro"))) == "Pro"
    strict = VariableRule("v", type="enum", values=("Basic", "Pro"), case_sensitive=True)
    assert check_value("pro", strict) == "expected one of Basic, Pro"


def test_date_formats_from_the_rules():
    variable = VariableRule("v", type="date", formats=("%d/%m/%Y",))
    assert normalise_value("03/04/2026", variable) == "2026-04-03"


def frame(values):
    return pl.DataFrame({"c": values, "_row": list(range(2, len(values) + 2)), "_line": list(range(2, len(values) + 2))},
                        schema={"c": pl.String, "_row": pl.Int64, "_line": pl.Int64})


def test_required_missing_and_default_fill():
    required = VariableRule("customer_name", required=True)
    out, issues, stats = check_variables(frame(["Ann", "", "  ", None]), [(required, "c")])
    assert issues.select("row", "code", "message").rows() == [
        (3, "missing_variable", "missing required variable 'customer_name'"),
        (4, "missing_variable", "missing required variable 'customer_name'"),
        (5, "missing_variable", "missing required variable 'customer_name'"),
    ]
    with_default = VariableRule("customer_name", required=True, default="there")
    out, issues, stats = check_variables(frame(["Ann", "", "  ", None]), [(with_default, "c")])
    assert issues.height == 0
    assert out.get_column("c").to_list() == ["Ann", "there", "there", "there"]
    assert (stats[0].from_file, stats[0].defaulted, stats[0].missing) == (1, 3, 0)


def test_what_software_writes_for_no_value_is_an_empty_cell_and_says_so():
    # pandas' astype(str) writes nan, Python None, JSON and SQL null: the agent would have said 'Hi nan'
    with_default = VariableRule("customer_name", required=True, default="there")
    out, issues, stats = check_variables(frame(["nan", " None ", "Ann", "Nancy", "none"]), [(with_default, "c")])
    assert out.get_column("c").to_list() == ["there", "there", "Ann", "Nancy", "none"]
    assert issues.select("row", "code", "severity", "message", "detail").rows() == [
        (2, "placeholder_value", "warning", "placeholder 'nan' for 'customer_name' read as an empty cell",
         "filled with the default 'there'"),
        (3, "placeholder_value", "warning", "placeholder 'None' for 'customer_name' read as an empty cell",
         "filled with the default 'there'"),
    ]
    assert (stats[0].from_file, stats[0].defaulted) == (3, 2)
    required = VariableRule("due_amount", type="decimal", required=True)
    _, issues, _ = check_variables(frame(["NULL", "12"]), [(required, "c")])
    assert issues.select("row", "code", "detail").rows() == [(2, "placeholder_value", None),
                                                             (2, "missing_variable", None)]
    optional = VariableRule("notes")
    out, issues, _ = check_variables(frame(["<NA>", "x"]), [(optional, "c")])
    assert out.get_column("c").to_list() == [None, "x"]
    assert issues.get_column("detail").to_list() == ["left empty"]


def test_invalid_value_is_not_replaced_by_the_default():
    variable = VariableRule("due_amount", type="decimal", default="0")
    out, issues, stats = check_variables(frame(["abc", ""]), [(variable, "c")])
    assert issues.select("row", "code", "value", "message").rows() == [
        (2, "invalid_value", "abc", "invalid value 'abc' for 'due_amount': expected a decimal number such as 1234.50"),
    ]
    assert stats[0].invalid == 1


def test_variable_without_a_column_is_filled_from_its_default():
    variable = VariableRule("language", default="English")
    out, issues, _ = check_variables(frame(["x", "y"]), [(variable, "language")])
    assert out.get_column("language").to_list() == ["English", "English"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.from_regex(r"-?[0-9]{1,5}([.,][0-9]{0,3})?", fullmatch=True),
                          st.from_regex(r"-?[0-9]{1,3}(,[0-9]{3}){0,3}(\.[0-9]{1,2})?", fullmatch=True),
                          st.from_regex(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]", fullmatch=True),
                          st.sampled_from(["English", "english", " ENGLISH ", "Hindi", "hindi", "Englisch"]),
                          st.text(alphabet="0123456789-+.,$ €", max_size=8)), min_size=1, max_size=30),
       st.sampled_from(["integer", "decimal", "date", "enum"]))
def test_quick_canonical_path_agrees_with_the_full_normalisation(monkeypatch, values, kind):
    from csvprep.stages.variables import check as variables

    extra = {"values": ["English", "Hindi"]} if kind == "enum" else {}
    rule = rules_from_dict({"variables": {"v": {"type": kind, **extra}}}).variables[0]
    series = pl.Series("v", values, dtype=pl.String)
    quick = variables._typed(series, rule)
    with monkeypatch.context() as patch:
        patch.setattr(variables, "_quick", lambda kind, variable: None)
        full = variables._typed(series, rule)
    assert quick.equals(full), (values, quick, full)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.none(), st.just(""), st.just("  "),
                          st.sampled_from(["2026-01-05", "5 January 2026", "12/21/2026", "03/04/2026", "English",
                                           " hindi ", "Yes", "no", "1,234.50", "42", "-7", "$9.99", "x", "y@z.io",
                                           "1.234", "12,5"]),
                          st.text(alphabet="0123456789-/.,$ aeyn", max_size=8)), min_size=1, max_size=12),
       st.sampled_from([{"type": "date"}, {"type": "enum", "values": ["English", "Hindi"]}, {"type": "boolean"},
                        {"type": "decimal", "min": 0, "max": 1000}, {"type": "integer", "max_length": 2},
                        {"type": "email", "pattern": "[a-y].*"}]),
       st.integers(0, 2**32))
def test_a_column_of_few_values_checked_once_per_value_agrees_with_every_row_checked(monkeypatch, values, rule,
                                                                                     seed):
    import random

    from csvprep.stages.variables import check as variables

    rng = random.Random(seed)

    variable = rules_from_dict({"variables": {"v": rule}}).variables[0]
    cells = [rng.choice(values) for _ in range(4 * variables._SAMPLE + 7)]
    series = pl.Series("v", cells, dtype=pl.String)
    sizes = []
    checked = variables._checked

    def spy(raw, *args):
        sizes.append(len(raw))
        return checked(raw, *args)

    with monkeypatch.context() as patch:
        patch.setattr(variables, "_checked", spy)
        once_per_value = variables._checked(series, variable, False)
    assert len(sizes) == 2 and sizes[1] <= len(values)  # the distinct values were checked, not the rows
    with monkeypatch.context() as patch:
        patch.setattr(variables, "_SAMPLE", len(cells))
        every_row = variables._checked(series, variable, False)
    assert once_per_value.equals(every_row)
    assert once_per_value.schema == every_row.schema


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["2026-01-05", "5 January 2026", "January 5, 2026",
                                                     "January 5 2026", "2026/01/05", "2026-01-05 10:30",
                                                     "2026-01-05T10:30:00", "2026-01-05 10:30:00", "05/01/2026",
                                                     "2026-02-30", "soon", "", "31-Jan-2026", "5-Jan-2026"])),
                max_size=25))
def test_dates_read_format_by_format_agree_with_the_first_format_that_reads_each_cell(values):
    import datetime

    from csvprep.stages.variables import dates

    rule = rules_from_dict({"variables": {"d": {"type": "date"}}}).variables[0]
    expected = []
    for value in values:
        for fmt in list(dates.DEFAULT_DATE_FORMATS):
            try:
                expected.append(datetime.datetime.strptime(value, fmt).date().isoformat())
                break
            except (TypeError, ValueError):
                continue
        else:
            expected.append(None)
    got = dates.parse_dates(pl.Series("d", values, dtype=pl.String), rule).to_list()
    assert got == expected


@pytest.mark.parametrize("kind,raw,with_comma,with_point", [
    ("decimal", "1.234,56", "1234.56", "1234.56"),  # reads only with a decimal comma: taken that way in either file
    ("decimal", "12,50 €", "12.50", "12.50"),
    ("decimal", "1.234", "1234", "1.234"),  # reads both ways: the file's separator decides
    ("decimal", "1,234", "1.234", "1234"),
    ("decimal", "0,5", "0.5", "0.5"),
    ("decimal", "12.5", "12.5", "12.5"),  # reads only with a decimal point: taken that way in either file
    ("decimal", "1,234.56", "1234.56", "1234.56"),
    ("decimal", "1.2.3", None, None),
    ("integer", "1.000", "1000", "1"),  # a spreadsheet's 1.0 with a point
    ("integer", "42,0", "42", "42"),
    ("integer", "42.0", "42", "42"),
])
def test_a_semicolon_separated_file_writes_decimals_with_a_comma(kind, raw, with_comma, with_point):
    variable = VariableRule("v", type=kind)
    out, issues, _ = check_variables(frame([raw]), [(variable, "c")], decimal_comma=True)
    assert out.get_column("c").to_list() == [with_comma] and issues.height == (with_comma is None)
    # a comma-separated file reads them with a decimal point
    out, issues, _ = check_variables(frame([raw]), [(variable, "c")])
    assert out.get_column("c").to_list() == [with_point] and issues.height == (with_point is None)


def test_a_stated_decimal_separator_is_the_only_reading():
    comma = VariableRule("v", type="decimal", decimal_separator=",")
    out, issues, _ = check_variables(frame(["1.234,56", "1.234", "12.5"]), [(comma, "c")])
    assert out.get_column("c").to_list() == ["1234.56", "1234", None]
    assert issues.get_column("message").to_list() == [
        "invalid value '12.5' for 'v': expected a decimal number such as 1234,50 (decimal comma)"]
    point = VariableRule("v", type="decimal", decimal_separator=".")
    out, issues, _ = check_variables(frame(["1.234", "1,5"]), [(point, "c")], decimal_comma=True)
    assert out.get_column("c").to_list() == ["1.234", None]
    # a default is written in the rules' own convention
    assert normalise_value("12,50", comma) == "12.50" and check_value("12,50", point) is not None


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=-10**9, max_value=10**9), st.integers(min_value=0, max_value=99))
def test_a_number_written_either_way_in_its_file_normalises_the_same(units, cents):
    written = f"{abs(units):,}.{cents:02d}"
    sign = "-" if units < 0 else ""
    european = sign + written.translate(str.maketrans(".,", ",."))
    variable = VariableRule("v", type="decimal")
    point = check_variables(frame([sign + written]), [(variable, "c")])[0].get_column("c").to_list()
    comma = check_variables(frame([european]), [(variable, "c")], decimal_comma=True)[0].get_column("c").to_list()
    assert point == comma == [f"{sign}{abs(units)}.{cents:02d}" if units or not sign else f"0.{cents:02d}"]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 31), st.integers(1, 12), st.integers(1990, 2060), st.sampled_from("/.-"),
       st.booleans(), st.booleans())
def test_a_date_of_three_numbers_is_read_only_when_one_order_makes_it(day, month, year, separator, month_first,
                                                                      short_year):
    import datetime

    first, second = (month, day) if month_first else (day, month)
    text = separator.join([f"{first:02d}", f"{second:02d}", f"{year % 100:02d}" if short_year else str(year)])

    def date(m, d):
        try:
            return datetime.date(year, m, d).isoformat()
        except ValueError:
            return None

    readings = {r for r in (date(first, second), date(second, first)) if r is not None}
    variable = VariableRule("v", type="date")
    if len(readings) == 1:
        assert normalise_value(text, variable) == readings.pop()
    else:
        assert normalise_value(text, variable) is None
        assert check_value(text, variable).startswith("ambiguous date" if readings else "expected a date")


def test_an_empty_spreadsheet_text_is_a_missing_value():
    variable = VariableRule("c", required=True)
    out, issues, _ = check_variables(frame(['="0042"', '=""', "7"]), [(variable, "c")])
    assert out.get_column("c").to_list() == ["0042", None, "7"]
    assert issues.select("row", "code").rows() == [(3, "missing_variable")]


def test_a_cell_of_invisible_characters_is_empty():
    variable = VariableRule("c", required=True)
    out, issues, _ = check_variables(frame(["\u200b", "\ufeff ", "\u200e", "Bo"]), [(variable, "c")])
    assert out.get_column("c").to_list() == [None, None, None, "Bo"]
    assert issues.select("row", "code").rows() == [(2, "missing_variable"), (3, "missing_variable"),
                                                    (4, "missing_variable")]


@pytest.mark.parametrize("raw", ["mailto:", "x <y> <z@w.io>", "ann@b", "<a@b.io", "a:b@c.io"])
def test_what_is_still_not_an_email(raw):
    assert check_value(raw, VariableRule("v", type="email")) == "expected an email address"
