"""Generated values for every setting, secret and YAML key: each loads into a usable configuration or is refused
naming its setting, and loading creates nothing."""
import datetime
import io
import json
import math
import os
import threading
import zoneinfo

import httpx
import pytest
import requests
from dulwich.objects import Commit, Tree
from dulwich.refs import check_ref_format
from hypothesis import strategies as st
from ruamel.yaml import YAML

from lib.snapshot import gate
from lib.config import load_config
from lib.core.errors import ConfigError
from lib.notion.export_tasks import export_request
from lib.core.layout import Layout
from lib.config.settings import SECRETS, SETTINGS
from tasks.unpack import unpack_limits
from tests.sized import SIZES, run_sized

# Values users paste, and values that broke the product before: read by hypothesis as its first choices.
TRICKY = ["", " ", "nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1", "0", "1", "2", "10", "60", "100", "101",
          "99999999999999999999", "1.5", "-0.0", "true", "yes", "off", ".", "..", "/", "/abs/victim", "../official",
          "x/../..", "refs/heads/x", "HEAD", "-x", "a b", "a..b", "x.lock", "@{u}", "~", "\t", "x\ny", "Mars/Olympus",
          "Europe/Paris", "UTC", "localtime", "main", "notion-backups", "https://", "https://example.com/x",
          "http://127.0.0.1:1", "ftp://x/y", "https://u:p@h.example/x", "file:///tmp/x", "git@github.com:a/b.git",
          "x@y", "a <b>", "日本語", "backups", "lib", ".git", ".env", ".doit/x", "2026-01-01", "2025-09-03",
          "2022-06-28", "json://127.0.0.1:1/x", "slak://x", "token_v2=abc", "v02%3Aabc", "a;b", "7d583f4768d94d6aada31828312a2f7e"]
ENV_TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")  # what an environment can hold
env_values = st.one_of(st.sampled_from(TRICKY), st.text(ENV_TEXT, max_size=24),
                       st.integers(-10 ** 6, 10 ** 12).map(str), st.floats().map(repr))
yaml_values = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 20, 10 ** 20), st.floats(), st.dates(),
                        st.sampled_from(TRICKY), st.text(max_size=16).filter(lambda t: "\x00" not in t),
                        st.lists(st.sampled_from(TRICKY), max_size=3), st.dictionaries(st.sampled_from("ab"),
                                                                                        st.integers(), max_size=2))
names = st.sampled_from([s.env for s in SETTINGS] + list(SECRETS))
keys = st.sampled_from([s.key for s in SETTINGS] + ["quality.typo", "nonsense.key"])


def yaml_text(values):
    """A backup.config.yaml holding `values` ({dotted key: value}) as sections, as ruamel writes it."""
    document = {}
    for key, value in values.items():
        section, name = key.split(".", 1)
        document.setdefault(section, {})[name] = value
    out = io.StringIO()
    writer = YAML(typ="safe")
    writer.default_flow_style = False
    writer.dump(document, out)
    return out.getvalue()


def named(problem, env, yaml):
    """True when a problem names one of the generated environment variables or YAML keys (or is YAML syntax)."""
    if yaml and problem.startswith("backup.config.yaml:") and " at '" not in problem:
        return True  # the file's syntax, at its line and column (the YAML writer can produce what it cannot read)
    return any(f"environment {name}" in problem for name in env) or any(f"'{key}" in problem for key in yaml)  # a mapping under an unknown key names its leaves


def assert_usable(cfg, root):
    """Run the accepted values through what the stages do with them: nothing may break at run time."""
    layout = Layout.for_config(cfg)
    backups, base = os.path.normpath(layout.backups), os.path.normpath(root)
    assert backups.startswith(base + os.sep), "the backup folder is inside the project"
    assert os.path.dirname(os.path.normpath(layout.run_dir)) == os.path.normpath(layout.staging), "one folder"
    branch = cfg["publish.branch"].encode()
    assert check_ref_format(b"refs/heads/" + branch) and not branch.startswith((b"refs/", b"-")) and branch != b"HEAD"
    commit = Commit()
    commit.tree, commit.message = Tree().id, b"x"
    commit.author = commit.committer = f"{cfg['publish.committer_name']} <{cfg['publish.committer_email']}>".encode()
    commit.author_time = commit.commit_time = commit.author_timezone = commit.commit_timezone = 0
    commit.check()  # git would read this commit
    for setting in SETTINGS:
        if setting.kind in ("int", "float"):
            assert math.isfinite(cfg[setting.key]), setting.key
        if setting.key.endswith("seconds"):
            threading.Lock().acquire(timeout=float(cfg[setting.key]))  # a wait the system can take (no overflow)
    for base_url in [cfg["notion.base_url"], *cfg["notion.notification_base_urls"]]:
        requests.Request("POST", base_url.rstrip("/") + "/api/v3/getTasks").prepare()
    httpx.URL(cfg["notion.api_base_url"].rstrip("/") + "/v1/users")
    json.dumps(export_request(cfg))
    zoneinfo.ZoneInfo(cfg["export.time_zone"])
    unpack_limits(cfg)
    datetime.timedelta(days=cfg["retention.zip_keep_days"])
    previous = {"md": 1000, "csv": 100, "csv_all": 0, "attachments": 100, "bytes": 10 ** 6}
    tenth = {key: value // 10 for key, value in previous.items()}
    verdict = gate.evaluate(tenth, previous, 0, 0, cfg["quality.max_drop_percent"])["verdict"]
    assert verdict == ("refused" if cfg["quality.max_drop_percent"] < 90 else "passed"), "a 90% drop is judged"


def check_one(tmp_path_factory, env, yaml):
    """Load the generated configuration in an empty project; assert the property."""
    root = tmp_path_factory.mktemp("cfg")
    if yaml:
        (root / "backup.config.yaml").write_text(yaml_text(yaml))
    before = sorted(os.listdir(root))
    try:
        cfg = load_config(root, env)
    except ConfigError as error:
        assert error.problems
        for problem in error.problems:
            assert named(problem, env, yaml), f"problem names no generated setting: {problem}"
    else:
        assert_usable(cfg, root)
    assert sorted(os.listdir(root)) == before, "loading the configuration created files"


GENERATED = dict(env=st.dictionaries(names, env_values, max_size=4), yaml=st.dictionaries(keys, yaml_values, max_size=3))


@pytest.mark.parametrize("size", SIZES)
def test_generated_settings_load_usable_or_are_refused_by_name(tmp_path_factory, size):
    run_sized(size, (200, 3000), lambda env, yaml: check_one(tmp_path_factory, env, yaml), **GENERATED)


def test_combination_rules_name_their_setting_as_every_rule_does(tmp_path_factory):
    """Found by the generated run: a rule over two settings (the LFS endpoint and the remote) names the value's
    origin, environment or file, like a rule over one."""
    check_one(tmp_path_factory, {"BACKUP_LFS_URL": "https://example.com/x"}, {})
    check_one(tmp_path_factory, {}, {"publish.lfs_url": "http://example.com/x"})


def test_numbers_that_are_not_finite_are_refused(tmp_path):
    for setting in [s for s in SETTINGS if s.kind in ("int", "float")]:
        for value in ("nan", "inf", "-inf", "Infinity", "1e309", "-1e309"):
            with pytest.raises(ConfigError) as caught:
                load_config(tmp_path, {setting.env: value})
            [problem] = caught.value.problems
            assert problem.startswith(f"environment {setting.env} (at '{setting.key}'): must be "), problem
