"""Reports: the domain of complaints (投诉) and tips (举报)."""
