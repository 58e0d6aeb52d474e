"""The registry of document types (文书种类). Each type has its own form, template and numbering rule;
modules in this package register their types with @register."""

# Import the modules that register types (order = order offered on the workspace page).
from . import coercion, decision, filing, investigation, service, simple  # noqa: E402, F401, I001
from .base import REGISTRY, DocumentType, get_type, register  # noqa: F401
