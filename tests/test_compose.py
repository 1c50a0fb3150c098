"""docker-compose.yml: `docker compose config` where the plugin exists; otherwise (and also) a structure check
with PyYAML: services, health checks, start-up order, settings by environment, images, ports and commands."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from hydrawatch.cli import app
from hydrawatch.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
STACK = {"kafka", "postgres", "migrate", "stream-worker", "linker", "api"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
IMAGE = re.compile(r"^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[\w][\w.-]{0,127})?$")
VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def interpolate(value: str) -> str:
    """Compose's ${VAR:-default} with the defaults (the environment of CI is not the deployment's)."""
    return VARIABLE.sub(lambda m: m.group(2) or "", value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def test_docker_compose_config_accepts_the_file() -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("no `docker compose` plugin here; the structure tests below check the file")
    result = subprocess.run([docker, "compose", "-f", str(COMPOSE), "--profile", "demo", "config", "--quiet"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_the_full_stack_is_there(compose: dict[str, Any]) -> None:
    services = _services(compose)
    assert STACK <= set(services)
    hydrawatch = [s for s in services.values() if s.get("image") == "hydrawatch:local"]
    assert len(hydrawatch) >= 4 and all(s["build"]["dockerfile"] == "Dockerfile" for s in hydrawatch)
    assert not any("profiles" in services[name] for name in STACK), "the stack starts with a plain `up`"


def test_long_running_services_have_health_checks(compose: dict[str, Any]) -> None:
    for name, service in _services(compose).items():
        if service.get("restart") == "no":
            continue
        check = service.get("healthcheck")
        assert check and check["test"][0] in ("CMD", "CMD-SHELL"), name
        for key in ("interval", "timeout", "retries"):
            assert key in check, (name, key)


def test_start_up_order_uses_conditions(compose: dict[str, Any]) -> None:
    services = _services(compose)
    for name, service in services.items():
        depends = service.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on needs the long form with conditions"
        for target, spec in depends.items():
            assert target in services, (name, target)
            assert spec["condition"] in CONDITIONS, (name, target)
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[target], (name, target)
            if spec["condition"] == "service_completed_successfully":
                assert services[target].get("restart") == "no", (name, target)
    for name in ("stream-worker", "linker", "api"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name in ("stream-worker", "linker"):
        assert services[name]["depends_on"]["kafka"]["condition"] == "service_healthy"


def _field(model: type[BaseModel], path: list[str]) -> bool:
    name, rest = path[0], path[1:]
    if name not in model.model_fields:
        return False
    if not rest:
        return True
    annotation = model.model_fields[name].annotation
    return isinstance(annotation, type) and issubclass(annotation, BaseModel) and _field(annotation, rest)


def test_environment_names_settings_fields(compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}
    for name, service in _services(compose).items():
        for key, value in (service.get("environment") or {}).items():
            if key.startswith("HYDRAWATCH_"):
                path = key.removeprefix("HYDRAWATCH_").lower().split("__")
                assert _field(Settings, path), f"{name}: {key} is no Settings field"
                seen[key] = interpolate(str(value))
    assert {"HYDRAWATCH_DB_URL", "HYDRAWATCH_KAFKA__BOOTSTRAP_SERVERS"} <= set(seen)
    for key, value in seen.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.db_url.startswith("postgresql+psycopg://") and "@postgres:5432/" in settings.db_url
    assert settings.kafka.bootstrap_servers == "kafka:9092"
    postgres = _services(compose)["postgres"]["environment"]
    assert f"{postgres['POSTGRES_USER']}:" in settings.db_url and settings.db_url.endswith(postgres["POSTGRES_DB"])


def test_images_build_and_ports(compose: dict[str, Any]) -> None:
    published: list[int] = []
    for name, service in _services(compose).items():
        assert IMAGE.match(service["image"]), (name, service["image"])
        if "build" in service:
            context = ROOT / service["build"]["context"]
            assert (context / service["build"]["dockerfile"]).is_file(), name
        for mapping in service.get("ports", []):
            parts = interpolate(mapping).split(":")
            assert parts[0] == "127.0.0.1", f"{name}: publish on the loopback only"
            host, container = int(parts[1]), int(parts[2])
            assert 0 < host < 65536 and 0 < container < 65536
            published.append(host)
    assert len(published) == len(set(published))
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for package in ("hydrawatch", "detector", "features", "streams", "api"):
        assert f"COPY {package} ./{package}" in dockerfile, package
    assert 'ENTRYPOINT ["hydrawatch"]' in dockerfile


def test_commands_are_real_cli_commands(compose: dict[str, Any]) -> None:
    runner = CliRunner()
    for name, service in _services(compose).items():
        command = service.get("command")
        if service.get("image") != "hydrawatch:local" or not isinstance(command, list) or "entrypoint" in service:
            continue
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, (name, command, result.output)
    api = _services(compose)["api"]
    port = api["command"][api["command"].index("--port") + 1]
    assert any(m.endswith(f":{port}") for m in api["ports"]) and f":{port}/healthz" in str(api["healthcheck"])
    for name in ("stream-worker", "linker"):
        command = _services(compose)[name]["command"]
        metrics = command[command.index("--metrics-port") + 1]
        assert f":{metrics}/healthz" in str(_services(compose)[name]["healthcheck"]), name
    demo = " ".join(_services(compose)["demo-load"]["command"])
    for line in re.split(r"\s*&&\s*", demo):
        args = line.split()
        assert args[0] == "hydrawatch"
        assert runner.invoke(app, [*args[1:], "--help"]).exit_code == 0, line
