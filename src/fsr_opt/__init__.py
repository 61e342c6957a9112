"""fsr-opt: the riparto of the Lombardy Fondo Sociale Regionale as an exact MILP."""

__version__ = "0.1.0"
