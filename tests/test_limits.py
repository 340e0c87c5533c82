"""Hostile files and shapes meet one line and exit code 2 (issue 19, findings 5-7): each case runs the CLI in a
subprocess under a memory cap and a timeout, and leaves nothing in the output directory. The bombs are made here
with zipfile, small on disk."""

import errno
import os
import subprocess
import sys
import textwrap
import zipfile

import pytest
from conftest import RULES

MEMORY_CAP = 2 << 30
CONTACTS = "phone,customer_name\n+12025550123,Ann\n"

# a script run instead of the console entry point: the memory cap, then csvprep's main (with a patch first when a
# case needs one, such as a full disk)
RUNNER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
{patch}
from csvprep.cli.main import main
sys.argv = ["csvprep"] + sys.argv[1:]
main()
"""


def csvprep(*args, cwd, patch=""):
    script = RUNNER.format(cap=MEMORY_CAP, patch=textwrap.dedent(patch))
    env = {key: value for key, value in os.environ.items() if key != "CSVPREP_DEBUG"}
    return subprocess.run([sys.executable, "-c", script, *map(os.fsdecode, args)], cwd=cwd, capture_output=True,
                          timeout=120, env=env)


def refused(result, *expected: str, out=None) -> str:
    """The run failed with one line on stderr holding each of ``expected``, and left no output behind."""
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2, (result.returncode, err[-2000:])
    assert err.endswith("\n") and err.count("\n") == 1, err[-2000:]
    assert err.startswith("csvprep: error: ") and "internal error" not in err and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    if out is not None and out.exists():
        assert not list(out.iterdir()), list(out.iterdir())
    return err


def clean(tmp_path, source, *more, patch=""):
    out = tmp_path / "out"
    return csvprep("clean", source, "-r", RULES / "basic.toml", "-o", out, "-q", *more, cwd=tmp_path,
                   patch=patch), out


@pytest.fixture
def contacts(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(CONTACTS)
    return path


# -- 5. bombs and huge shapes ---------------------------------------------------------------------------------

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _cell(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


_ROWS = ('<row r="1">' + _cell("A1", "phone") + _cell("B1", "customer_name") + '</row><row r="2">'
         + _cell("A2", "+12025550123") + _cell("B2", "Ann") + "</row>")


def workbook(path, rows=_ROWS, dimension="A1:B2", shared=None):
    """A minimal .xlsx: one sheet of inline strings, and shared strings when given."""
    sheet = (f'<?xml version="1.0"?><worksheet xmlns="{_NS}"><dimension ref="{dimension}"/>'
             f"<sheetData>{rows}</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
                         'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
                         'application/xml"/></Types>')
        archive.writestr("_rels/.rels", f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/'
                         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="Sheet1" '
                         'sheetId="1" r:id="rId1"/></sheets></workbook>')
        archive.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
                         f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", shared)
    return path


def test_a_plain_workbook_still_reads(tmp_path):
    result, out = clean(tmp_path, workbook(tmp_path / "good.xlsx"))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("dimension", ["A1:XFD1048576", "A1"])
def test_one_stray_far_cell_is_refused_with_advice(tmp_path, dimension):
    rows = _ROWS + '<row r="1048576">' + _cell("XFD1048576", "x") + "</row>"
    path = workbook(tmp_path / "stray.xlsx", rows, dimension)
    assert path.stat().st_size < 4096
    result, out = clean(tmp_path, path)
    refused(result, "xl/worksheets/sheet1.xml", "its used range reaches XFD1048576", "save the sheet as CSV", out=out)


def test_a_declared_range_past_the_data_is_refused(tmp_path):
    result, out = clean(tmp_path, workbook(tmp_path / "declared.xlsx", dimension="A1:ZZ900000"))
    refused(result, "its used range reaches ZZ900000", out=out)


def test_a_part_that_inflates_out_of_proportion_is_a_zip_bomb(tmp_path):
    rows = _ROWS + '<row r="3">' + _cell("A3", "a" * (40 << 20)) + "</row>"
    path = workbook(tmp_path / "bomb.xlsx", rows, "A1:B3")
    assert path.stat().st_size < 1 << 20
    result, out = clean(tmp_path, path)
    refused(result, "xl/worksheets/sheet1.xml", "zip bomb", out=out)


def test_shared_strings_that_declare_billions_are_refused(tmp_path):
    shared = f'<sst xmlns="{_NS}" count="4000000000" uniqueCount="4000000000"><si><t>x</t></si></sst>'
    result, out = clean(tmp_path, workbook(tmp_path / "sst.xlsx", shared=shared))
    refused(result, "xl/sharedStrings.xml", "4,000,000,000 strings", out=out)


def test_a_panic_in_the_workbook_reader_is_an_unreadable_workbook(tmp_path):
    patch = """
        import fastexcel
        class PanicException(BaseException):  # what pyo3 raises for a Rust panic
            pass
        def panic(*args, **kwargs):
            raise PanicException("capacity overflow")
        fastexcel.read_excel = panic
    """
    result, out = clean(tmp_path, workbook(tmp_path / "good.xlsx"), patch=patch)
    refused(result, "good.xlsx: cannot read the workbook", "capacity overflow", out=out)


def test_a_csv_with_200000_columns_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"c{i}" for i in range(200_000)) + "\n" + ",".join("1" * 200_000) + "\n")
    result, out = clean(tmp_path, path)
    refused(result, "line 1 has more than 16,384 fields", out=out)


@pytest.mark.parametrize("stdin", [False, True])
def test_a_csv_line_over_the_limit_is_refused(tmp_path, stdin):
    path = tmp_path / "oneline.csv"
    with open(path, "wb") as stream:
        stream.write(b"phone,name\n+12025550123,")
        stream.write(b"a" * (300 << 20) if not stdin else b"a" * (20 << 20))
        stream.write(b"\n")
    if stdin:
        out = tmp_path / "out"
        with open(path, "rb") as given:
            script = RUNNER.format(cap=MEMORY_CAP, patch="")
            result = subprocess.run([sys.executable, "-c", script, "clean", "-", "-r", str(RULES / "basic.toml"),
                                     "-o", str(out), "-q"], stdin=given, capture_output=True, timeout=120)
    else:
        result, out = clean(tmp_path, path)
    refused(result, "line 2 is over 8 MiB", out=out)


# -- 6. unbounded reads ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("option", ["input", "--rules", "--prompt", "--suppress", "--campaign"])
def test_a_device_is_not_a_regular_file(tmp_path, contacts, option, device):
    out = tmp_path / "out"
    rules = device if option == "--rules" else RULES / "basic.toml"
    args = ["clean", device if option == "input" else contacts, "-r", rules, "-o", out, "-q"]
    if option not in ("input", "--rules"):
        args += [option, device] + (["--provider", "sarvam"] if option == "--campaign" else [])
    refused(csvprep(*args, cwd=tmp_path), f"{device}: is not a regular file", out=out)


def test_a_rules_file_over_the_cap_is_refused(tmp_path, contacts):
    rules = tmp_path / "big.toml"
    rules.write_text("# " + "x" * (5 << 20) + "\n")
    out = tmp_path / "out"
    refused(csvprep("clean", contacts, "-r", rules, "-o", out, cwd=tmp_path), "the rules file is over 4 MiB", out=out)


# -- 7. a precise message where there was "internal error" ----------------------------------------------------

def test_a_full_disk_keeps_the_previous_outputs(tmp_path, contacts):
    first, out = clean(tmp_path, contacts)
    assert first.returncode == 0, first.stderr
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    patch = f"""
        from csvprep.outputs import writer
        def full(self, part):
            raise OSError({errno.ENOSPC}, "No space left on device")
        writer.CleanedCsv.add = full
    """
    result, _ = clean(tmp_path, contacts, patch=patch)
    refused(result, "disk full while writing cleaned.csv: outputs of the previous run kept")
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before  # no scratch directory either


def test_an_unwritable_out_is_permission_denied(tmp_path, contacts):
    out = tmp_path / "out"
    out.mkdir()
    # as root a mode does not stop a write: the refusal is made where the scratch directory is created
    patch = f"""
        import tempfile
        def denied(*args, **kwargs):
            raise PermissionError({errno.EACCES}, "Permission denied")
        tempfile.TemporaryDirectory = denied
    """
    result, _ = clean(tmp_path, contacts, patch=patch)
    refused(result, f"cannot write to {out}: permission denied", out=out)


@pytest.mark.parametrize("name", [b"new\nline.csv", b"bad\xff.csv"])
def test_odd_file_names(tmp_path, name):
    path = os.path.join(os.fsencode(tmp_path), name)
    with open(path, "w") as stream:
        stream.write(CONTACTS + "12,Bob\n")
    out = tmp_path / "out"
    result = csvprep("clean", os.fsdecode(name), "-r", RULES / "basic.toml", "-o", out, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    checked = csvprep("check", os.fsdecode(name), "-r", RULES / "basic.toml", cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    lines = checked.stdout.decode().splitlines() + checked.stderr.decode().splitlines()
    shown = "new\\nline.csv" if b"\n" in name else "bad\\xff.csv"
    assert lines and all(line.startswith(shown) for line in lines), lines


def rules_file(tmp_path, text, name="rules.toml"):
    path = tmp_path / name
    path.write_text('[phone]\ndefault_region = "US"\n' + text)
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ('[variables.code]\npattern = "(?<=a)b"\n', "[variables.code] pattern '(?<=a)b' is valid in Python but not in "
                                                "Polars' regex engine"),
    ("[variables.age]\ntype = \"integer\"\nmin = nan\n", "min must be a finite number, not nan"),
    ("[variables.age]\ntype = \"integer\"\nmax = inf\n", "max must be a finite number, not inf"),
    ("deep = " + "[" * 5000 + "]" * 5000 + "\n", "invalid TOML: nested too deeply"),
    ("[agent]\nname = " + "1" * 5000 + "\n", "invalid TOML: Exceeds the limit"),
])
def test_rules_refused_in_one_line(tmp_path, contacts, text, expected):
    out = tmp_path / "out"
    result = csvprep("clean", contacts, "-r", rules_file(tmp_path, text), "-o", out, cwd=tmp_path)
    refused(result, expected, out=out)


@pytest.mark.parametrize(("body", "expected"), [
    ("[" * 100_000 + "]" * 100_000, "not valid JSON (nested too deeply)"),
    ('{"x": ' + "1" * 5000 + "}", "not valid JSON (Exceeds the limit"),
])
def test_campaign_json_refused_in_one_line(tmp_path, contacts, body, expected):
    campaign = tmp_path / "campaign.json"
    campaign.write_text(body)
    result, out = clean(tmp_path, contacts, "--campaign", campaign, "--provider", "sarvam")
    refused(result, expected, out=out)


@pytest.mark.parametrize("command", ["clean", "preview"])
def test_an_include_in_a_prompt_is_one_line(tmp_path, contacts, command):
    prompt = tmp_path / "prompt.txt"
    prompt.write_text('Hi {{ customer_name }}\n{% include "other.txt" %}\n')
    out = tmp_path / "out"
    args = [command, contacts, "-r", RULES / "basic.toml", "--prompt", prompt] + (["-o", out] if command == "clean"
                                                                                 else [])
    refused(csvprep(*args, cwd=tmp_path), "prompt.txt: line 2: {% include %} is not supported", out=out)


def test_the_phone_variable_is_the_phone_column(tmp_path, contacts):
    prompt = tmp_path / "prompt.txt"
    prompt.write_text("Hi {{ customer_name }}, we will call {{ phone_number }}.\n")
    checked = csvprep("check", contacts, "-r", RULES / "basic.toml", "--prompt", prompt, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    shown = csvprep("preview", contacts, "-r", RULES / "basic.toml", "--prompt", prompt, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert b"we will call +12025550123." in shown.stdout


def test_a_bom_in_a_parent_pyproject_is_accepted(tmp_path, contacts):
    settings = '[tool.csvprep]\nregion = "US"\nrules = "%s"\n' % (RULES / "basic.toml")
    (tmp_path / "pyproject.toml").write_bytes(b"\xef\xbb\xbf" + settings.encode())
    work = tmp_path / "lists"
    work.mkdir()
    (work / "contacts.csv").write_text(CONTACTS)
    result = csvprep("check", "contacts.csv", "-r", RULES / "basic.toml", cwd=work)
    assert result.returncode == 0, result.stderr
    result = csvprep("check", "contacts.csv", cwd=work)  # the settings' rules
    assert result.returncode == 0, result.stderr
