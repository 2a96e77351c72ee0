"""The runner: the part of migcheck that runs in the project's own Python.

migcheck starts one runner process per scratch database, with the project's interpreter,
and drives it over a pipe (``protocol``). The runner executes everything of the
project's: env.py, the revision files, the context and bootstrap hooks, the models. It
needs nothing but what an Alembic project already has (Alembic, SQLAlchemy, a driver)
and is written for Python 3.8+, SQLAlchemy 1.3+ and Alembic 1.4+: no newer syntax, no
import of migcheck. Every change to the process that env.py needs (working directory,
environment variables, sys.path) happens here, in a process that exists for one
database and is never shared with migcheck.

Started as a script (``python .../runner/__main__.py``), it is imported under the
package name ``_migcheck_runner``, so that its modules cannot shadow the project's.
"""
