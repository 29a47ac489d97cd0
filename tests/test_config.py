"""The daily job's config file: defaults, paths taken from the file's folder, the password
from the environment or a file, and one clear error per mistake."""

from __future__ import annotations

import re
import zoneinfo
from pathlib import Path

import pytest
from brieftest import REPO

from briefing.config import JobConfig, load_config, parse_config
from briefing.errors import InputError

EMAIL = """
[email]
to = "analyst@example.com"
from = "Briefing <briefing@example.com>"
host = "smtp.example.com"
"""


def parse(text: str, folder: Path = Path("/srv/briefing")) -> JobConfig:
    return parse_config(text, folder / "briefing.toml")


def error_of(text: str, folder: Path = Path("/srv/briefing")) -> str:
    with pytest.raises(InputError) as caught:
        parse(text, folder)
    return str(caught.value)


def test_defaults() -> None:
    config = parse('sources = ["articles"]\n')
    assert config.sources == (Path("/srv/briefing/articles"),)
    assert config.out == Path("/srv/briefing/out")
    assert config.topics is None and config.title is None and config.time_zone is None
    assert config.formats == ("md", "pdf", "json")
    assert config.per_topic == 5
    assert config.footnotes == "gfm"
    assert config.email is None
    assert config.dask is None


def test_relative_paths_are_taken_from_the_config_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    config = parse(
        'sources = ["in", "/var/news", "~/more"]\ntopics = "t/topics.toml"\nout = "../briefs"\n'
    )
    assert config.sources == (
        Path("/srv/briefing/in"),
        Path("/var/news"),
        tmp_path / "more",
    )
    assert config.topics == Path("/srv/briefing/t/topics.toml")
    assert config.out == Path("/srv/briefing/../briefs")


def test_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", "pw")
    config = parse(
        'sources = "in"\nformats = ["md", "html", "md"]\nper_topic = 3\ntitle = " Daily "\n'
        'time_zone = "Europe/Istanbul"\nfootnotes = "plain"\ndask = "tcp://scheduler:8786"\n'
        + EMAIL
        + 'port = 2525\nsecurity = "tls"\nusername = "me"\ntimeout = 7.5\n'
        "verify_certificate = false\n"
    )
    assert config.sources == (Path("/srv/briefing/in"),)
    assert config.formats == ("md", "html")
    assert config.per_topic == 3 and config.title == "Daily"
    assert config.time_zone == zoneinfo.ZoneInfo("Europe/Istanbul")
    assert config.footnotes == "plain"
    assert config.dask == "tcp://scheduler:8786"
    email = config.email
    assert email is not None
    assert email.to == ("analyst@example.com",)
    assert email.sender == "Briefing <briefing@example.com>"
    assert (email.host, email.port, email.security) == ("smtp.example.com", 2525, "tls")
    assert (email.username, email.password, email.timeout) == ("me", "pw", 7.5)
    assert email.verify_certificate is False and email.ca_file is None


@pytest.mark.parametrize(("security", "port"), [("starttls", 587), ("tls", 465), ("none", 25)])
def test_port_follows_security(security: str, port: int) -> None:
    config = parse(EMAIL + f'security = "{security}"\n')
    assert config.email is not None
    assert config.email.port == port
    assert config.email.verify_certificate is True
    assert config.email.username is None and config.email.password is None


def test_password_from_a_named_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_SMTP_PW", "from-env")
    config = parse(EMAIL + 'username = "me"\npassword_env = "MY_SMTP_PW"\n')
    assert config.email is not None and config.email.password == "from-env"


def test_password_from_a_file_next_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("from-file \nsecond line\n", encoding="utf-8")
    config = parse(EMAIL + 'username = "me"\npassword_file = "secret"\n', tmp_path)
    assert config.email is not None and config.email.password == "from-file "


def test_password_never_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_SMTP_PASSWORD", "hunter2-secret")
    config = parse(EMAIL + 'username = "me"\n')
    assert "hunter2-secret" not in repr(config)


def test_missing_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BRIEFING_SMTP_PASSWORD", raising=False)
    assert error_of(EMAIL + 'username = "me"\n') == (
        "/srv/briefing/briefing.toml: [email] password_env: "
        "environment variable BRIEFING_SMTP_PASSWORD is not set"
    )
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    line = error_of(EMAIL + 'username = "me"\npassword_file = "empty"\n', tmp_path)
    assert line.endswith(f"[email] password_file: {tmp_path / 'empty'} is empty")
    line = error_of(EMAIL + 'username = "me"\npassword_file = "absent"\n', tmp_path)
    assert f"[email] password_file: cannot read {tmp_path / 'absent'}" in line


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources = [\n", "not valid TOML"),
        ('source = ["in"]\n', "source: unknown setting"),
        ("sources = [1]\n", "sources: must be a string or a list of non-empty strings"),
        ('formats = ["md", "docx"]\n', "formats: unknown format 'docx'"),
        ("per_topic = 0\n", "per_topic: must be a whole number from 1 to 1000"),
        ('per_topic = "5"\n', "per_topic: must be a whole number"),
        ('footnotes = "mediawiki"\n', "footnotes: expected one of gfm, plain, got 'mediawiki'"),
        ('time_zone = "Europe/Atlantis"\n', "time_zone: unknown time zone 'Europe/Atlantis'"),
        ('window = "a day"\n', "window: expected a duration like 24h"),
        ('title = ""\n', "title: must be a non-empty string"),
        ("dask = true\n", "dask: must be a non-empty string"),
        ('email = "me@example.com"\n', "email: must be an [email] table"),
        (EMAIL + "smtp_port = 25\n", "[email] smtp_port: unknown setting"),
        (EMAIL.replace("host", "# host"), "[email] host: missing"),
        (EMAIL + "port = 70000\n", "[email] port: must be a whole number from 1 to 65535"),
        (EMAIL + 'security = "ssl"\n', "[email] security: expected one of starttls, tls, none"),
        (EMAIL + "timeout = 0\n", "[email] timeout: must be a number from 1 to 3600"),
        (EMAIL + 'verify_certificate = "no"\n', "[email] verify_certificate: must be true or"),
        (EMAIL + 'ca_file = "nowhere.pem"\n', "[email] ca_file: /srv/briefing/nowhere.pem is not"),
        (
            EMAIL + 'security = "none"\nusername = "me"\n',
            "[email] username: a password is never sent without TLS",
        ),
        (
            EMAIL.replace('"analyst@example.com"', '"analyst"'),
            "[email] to: 'analyst' is not an email address",
        ),
        (
            EMAIL.replace('"analyst@example.com"', '"a@example.com\\nBcc: b@example.com"'),
            "[email] to: 'a@example.com\\nBcc: b@example.com' is not an email address",
        ),
        (EMAIL.replace("from", "# from"), "[email] from: missing"),
    ],
)
def test_each_mistake_names_the_file_and_the_key(text: str, message: str) -> None:
    line = error_of(text)
    assert line.startswith("/srv/briefing/briefing.toml: "), line
    assert message in line
    assert "\n" not in line


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'x.toml'}: config file not")):
        load_config(tmp_path / "x.toml")


def test_the_example_config_in_the_repo_is_valid(tmp_path: Path) -> None:
    """The shipped example, copied into a job folder with its password file."""
    example = tmp_path / "briefing.toml"
    example.write_text((REPO / "briefing.example.toml").read_text(encoding="utf-8"))
    (tmp_path / "smtp-password").write_text("pw\n", encoding="utf-8")
    config = load_config(example)
    assert config.sources == (tmp_path / "articles",)
    assert config.out == tmp_path / "briefs"
    assert config.time_zone is not None and config.window == "24h"
    assert config.email is not None and config.email.password == "pw"
    assert config.email.security == "starttls" and config.email.verify_certificate
