from graphlint.cli import entry

entry()
