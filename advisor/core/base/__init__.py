"""The foundation every other part of core stands on: numbers and how they are written, YAML read safely, files written safely, dates, the guard round plugin code, the condition language, labels."""
