"""The core: the one check (`check`), the schemas, the strict parser, the inputs, the
semantic rules and the schema engines behind the check. It imports no face."""
