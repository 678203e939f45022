#!/usr/bin/env python3
"""Opens N TLS connections to 127.0.0.1:PORT, sends one keep-alive GET on
each and reads its response, then holds them all idle until stdin closes.
Prints "ready N" once every connection is idle. Part of
bench/idle-connections.sh; trusts any certificate (loopback only)."""
import asyncio
import ssl
import sys


async def one(port, context, path):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
    return writer


async def main():
    port, count, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    writers = []
    # In batches, so the server's accept backlog is never the limit.
    for start in range(0, count, 200):
        batch = [one(port, context, path) for _ in range(min(200, count - start))]
        writers += await asyncio.gather(*batch)
    print(f"ready {len(writers)}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    for writer in writers:
        writer.close()


asyncio.run(main())
