"""The engine: the fast path behind the one check (`fastlane`) and parallel runs over
many documents. It renders no text."""
