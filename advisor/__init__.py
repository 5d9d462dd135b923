"""advisor: an expert system for choosing a batch size and living within GPU memory.

    >>> import advisor
    >>> advice = advisor.consult("8GB GPU, 500M parameter model, what batch fits?")
    >>> [q.id for q in advice.questions]  # doctest: +SKIP

`consult()` is the one stateless core; the CLI, REPL and chat tooling are shells around it.
torch is never imported here.
"""

__version__ = "0.1.0"

from .advice import Advice  # noqa: E402
from .core import consult, run_consultation  # noqa: E402
from .errors import AdvisorError, InputError  # noqa: E402
from .explain import explain  # noqa: E402
from .kbload import load_kb  # noqa: E402

__all__ = ["Advice", "AdvisorError", "InputError", "consult", "explain", "load_kb", "run_consultation", "__version__"]
