"""Alerts: channels (Apprise URLs with names and tags), message templates, the outbox and its dispatcher.

Flow: `outbox.enqueue_run_alerts` turns a crawl run's changes into persisted deliveries (rules, routing,
dedup, cooldown, quiet hours, rendering); `dispatcher.dispatch_pending` sends the due ones through
`channels` and records each outcome. `mailbox.LocalMailbox` is a real SMTP server for demos and tests.
"""
