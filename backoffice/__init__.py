"""The backoffice service arrives with its own issue; the package exists so the layout is stable."""
