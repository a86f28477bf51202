"""The built-in questionnaire sections, shipped as YAML data (installed as advisor_questionnaires)."""
