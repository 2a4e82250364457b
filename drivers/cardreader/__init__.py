from drivers.cardreader.protocol import CardAbsentError, CardReader

__all__ = ["CardAbsentError", "CardReader"]
