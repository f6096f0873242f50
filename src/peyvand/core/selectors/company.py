"""The company profile as quotes, invoices and the administration page read it."""

from __future__ import annotations

import base64

from ..models import CompanyProfile

PROFILE_PK = 1


def company_profile() -> CompanyProfile:
    """The saved profile, or an empty one (not saved) before an administrator fills it in."""
    return CompanyProfile.objects.filter(pk=PROFILE_PK).first() or CompanyProfile(pk=PROFILE_PK)


def company_logo(profile: CompanyProfile) -> tuple[bytes, str] | None:
    """The logo's bytes and content type, or None when there is none (or its file is gone)."""
    if not profile.logo or not profile.logo_type:
        return None
    try:
        with profile.logo.open("rb") as file:
            return file.read(), profile.logo_type
    except OSError:
        return None


def company_logo_data_uri(profile: CompanyProfile) -> str:
    """The logo embedded in a document (a PDF fetches nothing), or "" when there is none."""
    found = company_logo(profile)
    if found is None:
        return ""
    content, content_type = found
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"
