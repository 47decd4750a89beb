"""The incremental preview behind `make devserver` (tools/devserver.py).

- `fresh`: what a long-lived process resets so each Pelican build runs as
  in a fresh process (plugin receivers, Pelican's memos and log filter).
- `builder`: the builds: a saved post's page re-rendered at once from the
  last build's state (the fast path), and full builds into a folder beside
  the output that replaces it only when they succeed.
- `server`: the HTTP and WebSocket server, the file watcher, and the tab's
  script (`client.js`, with `overlay.css`).
"""
