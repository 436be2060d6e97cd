"""Pages for flash meetings: ``meetings`` (lists, one meeting, requesting one),
``availability`` (a mentor's open slots) and ``follow_up`` (after the meeting)."""
