"""The exercises shipped with the console (scenario YAMLs with ``mode: manual``)."""
