"""Statistics and disclosure control shared by the pipeline and the app.

No UI and no I/O: every function takes numbers or pandas objects and returns them, so the
write side (``data_pipeline``) and the read side (``gapmap``) compute each method the same way
and tests can pin each one to a published worked example.
"""
