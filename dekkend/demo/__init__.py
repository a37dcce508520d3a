"""The deterministic synthetic demo region, built by the project's own code into the data model."""

from dekkend.demo.build import build_demo_workspace, demo_tables

__all__ = ["build_demo_workspace", "demo_tables"]
