"""One repository per aggregate, each a small class over the unit of work's `Db`.

Which table an operation touches is the name of the file: `records.py` writes `records`,
`outbox.py` writes `outbox` and `outbox_deliveries`, and so on. A unit of work
(`storage.uow.UnitOfWork`) holds one of each as an attribute (`uow.records`,
`uow.outbox`, …); rows become domain objects through the one loader in `rows.py`.
"""
