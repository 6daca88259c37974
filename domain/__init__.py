"""The domain: records, communes, messages, permissions, deadlines and the lifecycle.

Pure: this package imports nothing of danvan's other packages and does no I/O, so every
layer (`storage`, `faq`, `handlers`, `bot`) may depend on it and it depends on none.
"""
