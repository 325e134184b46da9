"""moto's Step Functions interpreter, parsing each state machine definition once instead of at every
execution.

Why, measured on moto 5.2.5: each execution's worker parses its definition again with the ANTLR
grammar (AmazonStateLanguageParser.parse: lexer, parser, then the Preprocessor that builds the
evaluation components). Under `make seed` that was 9.4% of `make dev`'s busy samples (py-spy), 77% of it
in the ANTLR parse alone. The parse tree depends on the definition text alone and is only read by the
Preprocessor, so it is kept per definition (an LRU of 64; the stack has one). The Preprocessor still
runs for every execution, so each execution evaluates components of its own, exactly as before: the
interpreter keeps some per-execution state on its components (their heap keys), which must not be
shared between executions running at once. Answers, and errors for a definition that does not parse,
are moto's.
"""

from __future__ import annotations

import functools
from typing import Any

from antlr4 import CommonTokenStream, InputStream
from moto.stepfunctions.parser.asl.antlr.runtime.ASLLexer import ASLLexer
from moto.stepfunctions.parser.asl.antlr.runtime.ASLParser import ASLParser
from moto.stepfunctions.parser.asl.parse.asl_parser import (
    AmazonStateLanguageParser,
    ASLParserException,
    SyntaxErrorListener,
)
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

from tasks_local.moto_fixes.patches import MotoPatches, Replacement

MOTO_VERSION = "5.2.5"
DEFINITIONS_KEPT = 64

# What this module assumes of moto, checked against the source recorded in tests/local/test_moto_pin.py.
RELIED_ON: dict[str, tuple[Any, str]] = {
    "AmazonStateLanguageParser.parse": (
        AmazonStateLanguageParser.parse,
        "lexes and parses the definition with ASLLexer/ASLParser (errors to a SyntaxErrorListener, raised "
        "as ASLParserException), then returns (Preprocessor().visit(tree), tree)",
    ),
}


@functools.lru_cache(maxsize=DEFINITIONS_KEPT)
def _parse_tree(definition: str) -> Any:
    """The ANTLR parse tree of a definition, as moto builds it; raises as moto raises (not kept)."""
    listener = SyntaxErrorListener()
    parser = ASLParser(CommonTokenStream(ASLLexer(InputStream(definition))))
    parser.removeErrorListeners()
    parser.addErrorListener(listener)
    tree = parser.state_machine()
    if listener.errors:
        raise ASLParserException(errors=listener.errors)
    return tree


def _parse(definition: str) -> tuple[Any, Any]:
    tree = _parse_tree(definition)
    return Preprocessor().visit(tree), tree


def _replacements() -> list[Replacement]:
    return [(AmazonStateLanguageParser, "parse", staticmethod(_parse))]


# Installed by embedded_aws.patch_moto (the runtime); `PATCHES.installed(False)` compares with moto as it is.
PATCHES = MotoPatches(__name__, MOTO_VERSION, _replacements, after_change=_parse_tree.cache_clear)
