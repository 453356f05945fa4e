"""civic/domain stays plain Python: no SQLAlchemy, Rasa or Telegram."""
import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[3] / "civic" / "domain"
FORBIDDEN = ("sqlalchemy", "rasa", "rasa_sdk", "telegram", "yaml", "alembic")


@pytest.mark.parametrize("module", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_nothing_forbidden(module):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & set(FORBIDDEN)


def test_civic_never_imports_rasa_telegram_or_nlu():
    civic = DOMAIN.parent
    for module in civic.rglob("*.py"):
        text = module.read_text(encoding="utf-8")
        for name in ("import rasa", "from rasa", "import telegram", "from telegram", "from nlu", "import nlu"):
            assert name not in text, f"{module}: {name}"
