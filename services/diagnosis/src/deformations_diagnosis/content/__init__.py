"""Questionnaire content: versioned data files, their schema and their loader."""
