"""Evidence sources: the repository walk and the models parsed from it (stack, credentials)."""
