"""The eMRTD side of the conversation: virtual passports and ID cards that answer like a chip.

``specimens`` holds the invented documents whose files the virtual chip serves.
"""
