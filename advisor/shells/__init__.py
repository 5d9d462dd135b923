"""The shells around the public API: the command line (and its commands), the REPL, the Session, chat-tool
definitions, the MCP server, and the renderers (text, markdown, the HTML page with its SVG charts). Each is a
thin mapping onto `advisor`'s API."""
