"""The extension's tests, written as Kit tests (``omni.kit.test.AsyncTestCase``): Kit's test
runner runs them inside Kit; ``pytest`` runs them through the Kit double (tests/kit_double/,
installed by exts/conftest.py)."""
