"""motcua: the one-stop (một cửa) dossier system of a Vietnamese commune's Public Administration Service Center."""

__version__ = "0.1.0"
