"""Refresh the generated-source blocks of docs/tutorial.md from examples/autograd_tutorial.py.

Each block is marked `<!-- generated: NAME -->` and followed by a ```python fence;
its text is the `.source` transgrad generates today for that step of the example.
Run `python docs/update_tutorial.py`; tests/end_to_end/test_tutorial.py fails when
the page is stale.
"""
import pathlib
import re
import runpy

import numpy as np

import transgrad as tg

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "tutorial.md"
EXAMPLE = ROOT / "examples" / "autograd_tutorial.py"
BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n```python\n)(?P<body>.*?)(```)", re.S)


def sources():
    """name -> generated source, computed the way the example computes it."""
    example = runpy.run_path(str(EXAMPLE), run_name="autograd_tutorial")
    a, b, x3 = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]), np.array([1.0, 2.0, 3.0])

    def compiled_grad(name, args, wrt=0):
        compiled = tg.grad(example[name], wrt=wrt)
        compiled(*args)
        return compiled.source

    return {
        "tutorial": compiled_grad("tutorial", [np.ones((2, 2))]),
        "doubling": tg.vjp(example["doubling"], np.random.default_rng(0).standard_normal(3))[1].source,
        "product": compiled_grad("product", [a, b], (0, 1)),
        "no-grad": compiled_grad("scaled_without_grad", [x3]),
        "detach": compiled_grad("detached", [x3]),
    }


def page(text=None):
    """The page with every generated block replaced by today's source."""
    text = PAGE.read_text() if text is None else text
    found = sources()

    def replace(match):
        body = found[match.group("name")].rstrip("\n") + "\n"
        return match.group(1) + body + match.group(4)
    return BLOCK.sub(replace, text)


if __name__ == "__main__":
    PAGE.write_text(page())
    print(f"wrote {PAGE}")
