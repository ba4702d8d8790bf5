"""The plugin is tested with pytester."""

pytest_plugins = ["pytester"]
