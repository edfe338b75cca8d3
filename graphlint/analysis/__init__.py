"""What the rules share: the Context they read, the mode diff, name classes and rename pairing."""
