"""What a process that renders reports does once, first: nothing here runs on import.

Kept apart from `render` and `exporters`, which import nbconvert and nbformat at their top: a
process must call `skip_iri_grammar()` before anything imports them.
"""

from __future__ import annotations

import sys


def skip_iri_grammar() -> None:
    """Keep jsonschema from building the rfc3987-syntax grammar, if it has not yet.

    JupyterLab's dependencies install rfc3987-syntax; jsonschema imports it as nbformat (and so
    papermill and nbconvert) loads, and it then builds a grammar for about a second (several on
    a busy machine). nbformat never checks IRI formats, so a process that renders reports maps
    the module to None in sys.modules: jsonschema's import of it fails, as it does where the
    package is absent, and jsonschema goes on without that format check.

    Call it at the entry of a process, before papermill, nbconvert or nbformat is imported;
    it changes nothing once jsonschema is loaded, or when the module is already imported.
    """
    sys.modules.setdefault("rfc3987_syntax", None)
