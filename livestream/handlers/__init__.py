"""Room frame handlers, one module per type prefix. Each has ``ACTIONS``: frame type → ``async (consumer, frame)``.

A handler reads the frame's fields, calls a service through ``consumer.call`` (which raises
``LiveError`` for refusals), and replies to the sender only when nobody else is told.
"""
