"""The technician's tools and the example device config."""
