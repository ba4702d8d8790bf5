"""The engine: the fast path behind the one check (`fastlane`, `lightpath`, and the code written
from the schema by `codegen`) and parallel runs over many documents. It renders no text."""
