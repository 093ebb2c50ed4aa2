"""The service: the ASGI web app (webhooks, health), the event worker, and the process runner."""
