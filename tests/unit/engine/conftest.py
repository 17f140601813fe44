"""Engine test setup."""

from homediag.engine.expressions import compile_expression

# cel-python raises the recursion limit when its environment is first built; do it before any
# test runs, so Hypothesis does not see the limit change in the middle of a test.
compile_expression("true")
