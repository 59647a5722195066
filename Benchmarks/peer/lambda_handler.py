"""The peer as a Python team ships it on AWS Lambda: the same FastAPI app under Mangum, run by
awslambdaric. The connection pool opens once, at init (one connection: a Lambda environment
serves one request at a time), on the event loop Mangum runs every invocation on; Mangum's
per-invocation lifespan is off so the pool is not opened and closed on each request.

    AWS_LAMBDA_RUNTIME_API=host:port python -m awslambdaric lambda_handler.handler
"""
import asyncio

from mangum import Mangum

import app as peer

loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)
loop.run_until_complete(peer.pool.open(wait=True))

handler = Mangum(peer.app, lifespan="off")
