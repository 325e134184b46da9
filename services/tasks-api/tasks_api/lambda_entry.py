"""The function's entry point (function.yml's `handler`): tasks_api.handler, imported with Python's cyclic
garbage collector paused.

Importing the handler allocates hundreds of thousands of objects (modules, classes, functions, schemas)
that live as long as the container, and the collector walks them again and again while they are being
created: about a tenth of the import's instructions, with nothing to collect (docs/performance.md,
"Cold start of the API function"). So the collector is paused for the import, what the import made is
frozen (`gc.freeze`: moved to a generation no collection walks, as CPython's docs advise before a
fork), and the collector is switched back on, if it was on, before the first request. Nothing else
changes: the handler is tasks_api.handler's, and the tests import that module directly.
"""

import gc
from importlib import import_module

_collecting = gc.isenabled()
gc.disable()
try:
    lambda_handler = import_module("tasks_api.handler").lambda_handler
finally:
    gc.freeze()
    if _collecting:
        gc.enable()
