"""The steps of importing a directory feed (parse, normalise, check, write), one module each."""
