"""The admin module's errors."""

from __future__ import annotations

from sauti.errors import Conflict, DomainError, Forbidden, NotFound, ServiceUnavailable


class UploadMissing(Conflict):
    code, title = "upload_missing", "Upload missing"


class Outranked(Forbidden):
    code, title = "outranked", "Equal or higher role"


class OwnAccount(Forbidden):
    code, title = "own_account", "Not on your own account"


class ImportInvalid(DomainError):
    status, code, title = 422, "import_invalid", "Invalid import"


class ImportTooLarge(DomainError):
    status, code, title = 413, "import_too_large", "Import too large"


class UserNotFound(NotFound):
    code = "user_not_found"


class ReportNotFound(NotFound):
    code = "report_not_found"


class ReportResolved(Conflict):
    code, title = "report_resolved", "Report already resolved"


class TargetNotFound(NotFound):
    code = "target_not_found"


class StreamUnavailable(ServiceUnavailable):
    code, title = "stream_unavailable", "Cloudflare Stream unavailable"


class BadSignature(DomainError):
    status, code, title = 400, "invalid_signature", "Invalid signature"
