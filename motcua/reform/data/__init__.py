"""Data files of the reform module: the sample plan of Đông Khê 2025 (``dong_khe_2025.json``)."""
