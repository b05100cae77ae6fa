"""Stage 2: the one spaCy pipeline (model + gazetteer ruler) and the gazetteer it uses."""
