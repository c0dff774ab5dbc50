"""Domain tests are plain pytest: no Django, no database (the fixtures live in ``support.py``)."""
