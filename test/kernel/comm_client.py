"""Drives the DeepViz kernel with Jupyter's own Python client (jupyter_client): comm messages with
binary buffers, comm_info, an unknown target. Prints OK and exits 0 when every check holds.

usage: python3 comm_client.py KERNEL_NAME   (the kernelspec must be on JUPYTER_PATH)
"""
import sys
import time

from jupyter_client.manager import start_new_kernel

TIMEOUT = 60
ECHO = """
const manager = (globalThis as any)[Symbol.for("deepviz.kernel.commManager")];
manager.registerTarget("py.echo", (comm: any, open: any) => {
  comm.onMsg((msg: any) => {
    const sum = msg.buffers.map((b: Uint8Array) => b.reduce((a, x) => a + x, 0));
    comm.send({ got: msg.data, sums: sum }, { buffers: msg.buffers.map((b: Uint8Array) => b.map((x) => 255 - x)) });
  });
});
"""


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)


def iopub_until(kc, pred):
    """Reads iopub until pred(msg) holds; returns that message."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if pred(msg):
            return msg
    raise TimeoutError("message never came")


def main(kernel_name):
    km, kc = start_new_kernel(kernel_name=kernel_name, startup_timeout=TIMEOUT)
    try:
        reply = kc.execute_interactive(ECHO, timeout=TIMEOUT)
        check(reply["content"]["status"] == "ok", "echo target registered: %r" % reply["content"])

        # comm_open + comm_msg with two binary buffers, through the client's session (real HMAC).
        open_msg = kc.session.msg("comm_open", {"comm_id": "py-1", "target_name": "py.echo", "data": {}})
        kc.shell_channel.send(open_msg)
        iopub_until(kc, lambda m: m["parent_header"].get("msg_id") == open_msg["header"]["msg_id"]
                    and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle")
        msg = kc.session.msg("comm_msg", {"comm_id": "py-1", "data": {"hello": "kernel"}})
        kc.session.send(kc.shell_channel.socket, msg, buffers=[b"\x01\x02\x03", b"\xff"])
        answer = iopub_until(kc, lambda m: m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == "py-1")
        check(answer["parent_header"]["msg_id"] == msg["header"]["msg_id"], "answer parented to our comm_msg")
        check(answer["content"]["data"] == {"got": {"hello": "kernel"}, "sums": [6, 255]}, "data: %r" % answer["content"]["data"])
        bufs = [bytes(b) for b in answer["buffers"]]
        check(bufs == [b"\xfe\xfd\xfc", b"\x00"], "buffers 255-x: %r" % bufs)

        info = kc.comm_info(target_name="py.echo", reply=True, timeout=TIMEOUT)
        check(info["msg_type"] == "comm_info_reply", "comm_info_reply type")
        check(info["content"]["status"] == "ok", "comm_info status ok")
        check(info["content"]["comms"] == {"py-1": {"target_name": "py.echo"}}, "comms: %r" % info["content"]["comms"])

        unknown = kc.session.msg("comm_open", {"comm_id": "py-2", "target_name": "nobody", "data": {}})
        kc.shell_channel.send(unknown)
        closed = iopub_until(kc, lambda m: m["msg_type"] == "comm_close")
        check(closed["content"]["comm_id"] == "py-2", "unknown target closed")
        check(closed["parent_header"]["msg_id"] == unknown["header"]["msg_id"], "comm_close parented to the open")
        print("OK")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


if __name__ == "__main__":
    main(sys.argv[1])
