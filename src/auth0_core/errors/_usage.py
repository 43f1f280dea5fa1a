"""Usage errors: the application misused the SDK; fix the code or the configuration."""

from __future__ import annotations

from ._base import (
    Auth0Error,
)

# --- usage errors: the application misused the SDK ---------------------------------------------


class UsageError(Auth0Error):
    """The application misused the SDK (configuration, arguments, stores): fix the code."""

    code = "usage_error"


class ConfigurationError(UsageError):
    """The client was configured with a missing or invalid value."""

    code = "configuration_error"


# ImportError's ``name`` (str | None) is the module that failed to import; here it is that.
class MissingExtraError(ConfigurationError, ImportError):  # type: ignore[misc]
    """A module needs a third-party package that a pip extra of auth0-core provides.

    It is also an :class:`ImportError`, because it is raised where an import fails: ``import
    auth0_requests`` without ``requests`` installed, for example. ``extra`` names what to install;
    ``name`` is, as on any ImportError, the module that is missing (not the class's name).
    """

    code = "missing_extra"

    def __init__(self, feature: str, missing: str, extra: str) -> None:
        super().__init__(
            f"{feature} needs the '{missing}' package, which is not installed: "
            f"pip install 'auth0-core[{extra}]'"
        )
        self.feature = feature
        self.missing = missing
        self.extra = extra
        self.name = missing


class InvalidArgumentError(UsageError):
    """A public call was given an invalid value for ``argument``."""

    code = "invalid_argument"

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


class MissingRequiredArgumentError(InvalidArgumentError):
    """A public call was not given the required ``argument``."""

    code = "missing_required_argument_error"

    def __init__(self, argument: str) -> None:
        super().__init__(argument, f"The argument '{argument}' is required but was not provided.")


class MissingStoreOptionsError(MissingRequiredArgumentError):
    """A cookie-backed store was called without ``store_options={"request", "response"}``."""

    def __init__(self, store: str, needed: str) -> None:
        # Skip the parent's generic message: say which store needs which object.
        InvalidArgumentError.__init__(
            self,
            "store_options",
            f"{store} reads and writes cookies, so every call needs "
            f"store_options={{'request': ..., 'response': ...}}; missing or unusable: {needed}.",
        )


class StoreNotSupportedError(UsageError):
    """The store cannot perform this operation (e.g. revoking a stateless cookie session)."""

    code = "store_not_supported"


class CookieTooLargeError(UsageError):
    """A value does not fit in the cookies this store may write; use a server-side store."""

    code = "cookie_too_large"


class StartLinkUserError(UsageError):
    """Linking or unlinking needs a logged-in user with an ID token."""

    code = "start_link_user_error"


class DomainResolverError(UsageError):
    """The application's domain resolver (Multiple Custom Domains) failed or named no domain.

    ``original_error`` is what the resolver raised, when it raised.
    """

    code = "domain_resolver_error"

    def __init__(self, message: str, original_error: BaseException | None = None) -> None:
        super().__init__(message)
        self.original_error = original_error


class EnterpriseConnectError(UsageError):
    """A session or token method was called on a client configured for Enterprise Connect,
    which keeps no session of its own (code ``enterprise_connect_not_supported``)."""

    code = "enterprise_connect_not_supported"

    def __init__(
        self,
        code: str = "enterprise_connect_not_supported",
        message: str = "",
        cause: object = None,
    ) -> None:
        super().__init__(message or "This call is not supported with Enterprise Connect.")
        self.code = code
        self.cause = cause
