"""Demo organisation builder (in progress)."""

def build_demo(session, **kw):
    raise NotImplementedError


def build_large(session, **kw):
    raise NotImplementedError
