"""Names the dead-code check (vulture, in ``.ci/run``) cannot see used.

Each is read by Typer, by a caller of the public API, or by the tests; naming
it here is its use. Parameters that a framework passes (``version`` for
``--version``, a signal handler's ``signum``/``frame``) are in pyproject.toml.
"""

from gradcli import api, cli
from gradcli.calculus import steps
from gradcli.output import completion
from gradcli.syntax import tree

USED_ELSEWHERE = (
    api.Format.PRETTY,  # chosen by the user: --format pretty
    api.Format.TEXT,  # chosen by the user: --format text
    api.grad,  # public API: gradcli.grad
    api.analyse,  # parse and type-check a source (the tests' entry to the front end)
    tree.Call.func_span,  # the span of a call's name (the parser tests read it)
    cli.TopicOpt.language,  # chosen by the user: gradcli help language
    cli.TopicOpt.conventions,
    cli.TopicOpt.limits,
    completion.SHELLS,  # read by scripts/gen_completions.py and the tests
    completion.FILES,
    # The identity and citation facets of gradcli/ir/primitives.py: for the
    # reader, and required of every entry by tests/test_primitives.py.
    lambda entry: (entry.identity, entry.citation),
    steps.intermediate_steps,  # public: the steps of a derivation, for the verify diagnosis
    steps.Step.rule_names,
    # set on every IR and syntax node class (ir/nodes.py, syntax/tree.py): Python
    # calls it on ``del node.field``, which must raise
    lambda node: node.__delattr__,
)
