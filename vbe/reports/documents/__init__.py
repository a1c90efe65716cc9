"""Document builders: the same compiled data (``vbe.reports.document``) as PDF, DOCX and XLSX."""
