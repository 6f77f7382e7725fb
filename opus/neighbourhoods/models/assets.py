"""The register of public and community assets, and assets of community value."""
