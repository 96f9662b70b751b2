"""The service table's stack takes every address from the services it uses (no port twice)."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_services(monkeypatch, tmp_path, **env):
    monkeypatch.setenv("MHA_SERVICES_DIR", str(tmp_path))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    spec = importlib.util.spec_from_file_location("services_table", ROOT / "scripts/services.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "services_table", module)
    spec.loader.exec_module(module)
    return module


def test_moving_a_service_moves_the_app_and_the_web_server_with_it(monkeypatch, tmp_path):
    services = load_services(
        monkeypatch,
        tmp_path,
        MHA_PG_PORT="55429",
        MHA_REDIS_PORT="63899",
        MHA_S3_PORT="9490",
        MHA_CLUSTER_PORT="9560",
        MHA_APP_PORT="8201",
    )
    [app] = services.resolve(["app"])
    env = app.environment()
    assert env["DATABASE_URL"] == "postgres://mha@127.0.0.1:55429/mha_stack"
    assert env["REDIS_URL"] == "redis://127.0.0.1:63899/2"
    assert env["MHA_S3_ENDPOINT_URL"] == "http://127.0.0.1:9490"
    assert env["MHA_SEARCH_URL"] == (
        "http://127.0.0.1:9560,http://127.0.0.1:9561,http://127.0.0.1:9562"
    )
    steps = " ".join(" ".join(step["run"]) for step in app.fmt(app.spec["before_start"]))
    assert "-p 55429" in steps and "127.0.0.1:9490/mha-stack" in steps
    for old in ("54329", "63799", "9390", "9260"):
        assert old not in steps and old not in " ".join(env[k] for k in env if "URL" in k)
    [web] = services.resolve(["web"])
    assert env["MHA_WEB_BIND_1"] == "127.0.0.1:8201"
    assert web.vars["app"] == "127.0.0.1:8201" and web.vars["s3"] == "127.0.0.1:9490"
