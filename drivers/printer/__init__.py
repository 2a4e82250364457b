from drivers.printer.protocol import Printer, PrinterError, PrinterStatus

__all__ = ["Printer", "PrinterError", "PrinterStatus"]
