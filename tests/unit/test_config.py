from typing import Any

import pytest

from auth0_core._config import make_config, normalize_domain
from auth0_core.errors import ConfigurationError

SECRET = "s" * 32


def config(**overrides: Any) -> Any:
    values: dict[str, Any] = {
        "domain": "tenant.example",
        "client_id": "cid",
        "client_secret": "shh-very-secret",
        "secret": SECRET,
    }
    values.update(overrides)
    return make_config(**values)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("tenant.eu.auth0.com", "https://tenant.eu.auth0.com"),
        ("https://Tenant.eu.auth0.com/", "https://tenant.eu.auth0.com"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://localhost:9", "http://localhost:9"),
        ("http://[::1]:9", "http://[::1]:9"),
    ],
)
def test_domain_normalisation(domain: str, expected: str) -> None:
    assert normalize_domain(domain) == expected


@pytest.mark.parametrize(
    "domain",
    [
        "",
        "http://tenant.example",
        "https://tenant.example/path",
        "ftp://x",
        "https://u:p@x",
        "https://[",
        "https://tenant.example:99999",
        "https://tenant.example:port",
        "https://ex\uff03ample.com",
    ],
)
def test_bad_domains_are_configuration_errors(domain: str) -> None:
    with pytest.raises(ConfigurationError):
        normalize_domain(domain)


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret": "short"},
        {"secret": []},
        {"secret": None},
        {"client_id": ""},
        {"client_secret": None},
        {"algorithms": ("none",)},
        {"client_auth_method": "private_key_jwt"},
        {"organization": "  "},
    ],
)
def test_invalid_configuration(overrides: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        config(**overrides)


def test_secret_list_for_rotation_and_redacted_repr() -> None:
    cfg = config(secret=["n" * 32, "o" * 32])
    assert cfg.secrets == ("n" * 32, "o" * 32)
    text = repr(cfg)
    assert "shh-very-secret" not in text
    assert "nnnn" not in text


def test_private_key_jwt_chosen_when_a_key_is_given() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    cfg = config(
        client_secret=None,
        client_assertion_signing_key=ec.generate_private_key(ec.SECP256R1()),
        client_assertion_signing_alg="ES256",
    )
    assert cfg.client_auth_method == "private_key_jwt"


def test_unknown_option_is_named() -> None:
    with pytest.raises(ConfigurationError, match="redirect_url"):
        config(redirect_url="https://typo")
