"""Settings: config file, environment, flags, and their precedence."""

import json

import pytest
from click.testing import CliRunner

from cleancorp.cli import main, resolve_options
from cleancorp.config import ConfigError, from_environment, parse_settings, read_config

STORY = (
    "The council voted on Monday to approve the plan for the new bridge across the river, "
    "after a debate that lasted most of the afternoon and drew a large crowd to the town hall."
)
PAGE = "\n\n".join(["Harbour Gazette", STORY, "Photo: a view of the river at dusk", STORY.replace("Monday", "Tuesday"),
                    "All content copyright Harbour Gazette Media 1999-2024"])  # fmt: skip


def run_folder(tmp_path, *args, env=None):
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    (raw / "story.txt").write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", str(raw), str(tmp_path / "clean"), "-j", "1", *map(str, args)], env=env
    )
    sidecar = tmp_path / "clean" / "story.json"
    return result, json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else None


def test_settings_are_checked_with_a_message_that_names_the_key():
    with pytest.raises(ConfigError, match="unknown setting 'treshold'"):
        parse_settings({"treshold": 0.5}, "cleancorp.toml")
    with pytest.raises(ConfigError, match="num_perm: expected a whole number"):
        parse_settings({"num_perm": 1.5}, "cleancorp.toml")
    with pytest.raises(ConfigError, match="unknown category 'captions'"):
        parse_settings({"keep": ["captions"]}, "cleancorp.toml")
    with pytest.raises(ConfigError, match="CLEANCORP_JOBS: expected a int"):
        from_environment({"CLEANCORP_JOBS": "many"})


def test_config_file_adds_rules_and_keeps_a_category(tmp_path):
    config = tmp_path / "site.toml"
    config.write_text(
        'keep = ["caption"]\n\n[[rule]]\nid = "gazette_copyright"\ncategory = "copyright_notice"\n'
        "pattern = '^all content copyright harbour gazette'\n",
        encoding="utf-8",
    )
    settings, adds_rules = read_config(config)
    assert settings == {"keep": ("caption",)} and adds_rules
    result, sidecar = run_folder(tmp_path, "--config", config)
    assert result.exit_code == 0, result.output
    body = (tmp_path / "clean" / "story.txt").read_text(encoding="utf-8")
    assert "Photo: a view of the river at dusk" in body  # a caption, kept as asked
    assert [(r["category"], r["rule"]) for r in sidecar["removed"] if r["rule"] == "gazette_copyright"]
    assert "All content copyright" not in body


def test_without_config_the_caption_goes(tmp_path):
    result, sidecar = run_folder(tmp_path)
    assert result.exit_code == 0, result.output
    assert "caption" in {r["category"] for r in sidecar["removed"]}


def test_precedence_defaults_file_environment_flags(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_options(None, {}).dedup.threshold == 0.7  # built-in default
    (tmp_path / "cleancorp.toml").write_text("threshold = 0.8\nnum_perm = 64\n", encoding="utf-8")
    options = resolve_options(None, {})
    assert (options.dedup.threshold, options.dedup.num_perm) == (0.8, 64)  # ./cleancorp.toml
    monkeypatch.setenv("CLEANCORP_THRESHOLD", "0.85")
    assert resolve_options(None, {}).dedup.threshold == 0.85  # environment beats the file
    options = resolve_options(None, {"threshold": 0.9, "num_perm": None})
    assert (options.dedup.threshold, options.dedup.num_perm) == (0.9, 64)  # a flag beats both


def test_a_bad_config_file_is_a_usage_error(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("threshold = 'high'\n", encoding="utf-8")
    result, _ = run_folder(tmp_path, "--config", config)
    assert result.exit_code == 2
    assert "bad.toml: threshold: expected a float" in result.stderr
