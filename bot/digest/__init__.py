"""The weekly digest for the Văn phòng HĐND và UBND (issue 6).

`weeks` (ISO weeks in local time), `figures` (the week's figures from storage aggregates),
`render` (chat message, report lines, HTML page, chart), `document` (the DOCX in the form of
Nghị định 30/2020/NĐ-CP), `job` (making, archiving, queueing, and the exactly-once weekly
schedule).
"""
