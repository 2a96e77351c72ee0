"""Entry point of a runner process: ``<project's python> path/to/runner/__main__.py``."""

import importlib.util
import os
import sys


def _main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    # Run as a script, the runner's folder is sys.path[0]: the project must not import
    # the runner's modules by accident.
    if sys.path and os.path.abspath(sys.path[0] or os.curdir) == here:
        del sys.path[0]
    spec = importlib.util.spec_from_file_location(
        "_migcheck_runner", os.path.join(here, "__init__.py"), submodule_search_locations=[here]
    )
    assert spec is not None
    assert spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = package
    spec.loader.exec_module(package)
    serve = importlib.import_module("_migcheck_runner.serve")
    return int(serve.main(sys.argv))


if __name__ == "__main__":
    sys.exit(_main())
