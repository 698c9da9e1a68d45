"""Documents (文书): the numbered letters a case produces, rendered to PDF and kept with the case."""
