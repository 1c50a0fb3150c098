"""docs/configuration.md is generated from the Settings class and must be current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_config_docs", ROOT / "scripts" / "gen_config_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_configuration_docs_are_up_to_date() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == _generator().render(), "run: python scripts/gen_config_docs.py"


def test_every_setting_is_documented_with_its_environment_variable() -> None:
    from pydantic import BaseModel

    from hydrawatch.settings import Settings

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")

    def walk(model: type[BaseModel], path: list[str]) -> None:
        for name, field in model.model_fields.items():
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, [*path, name])
            else:
                assert f"`HYDRAWATCH_{'__'.join([*path, name]).upper()}`" in text, [*path, name]

    walk(Settings, [])
