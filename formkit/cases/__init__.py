"""Cases: the lifecycle after intake and the stores that keep it.

service (the legal moves) over store (the interface) with tinystore and files
(the embedded store); versions (matter snapshots); monitor, queues and stats
read the open-case index for supervisors and back offices.
"""
