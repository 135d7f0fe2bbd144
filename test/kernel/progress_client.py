"""Drives the DeepViz kernel with Jupyter's own client (jupyter_client) through long integrated-gradients
cells: one that runs to the end, and two stopped a few seconds in, by SIGINT (what Jupyter's interrupt
does for interrupt_mode "signal") and by an interrupt_request on the control channel. Prints one JSON
object with what arrived and when (seconds after each execute_request); the mocha test judges it.

usage: python3 progress_client.py KERNEL_NAME   (the kernelspec must be on JUPYTER_PATH)
"""
import json
import queue
import sys
import time

from jupyter_client.manager import start_new_kernel

SETUP = """
import * as tf from "@tensorflow/tfjs";
import * as dv from "deepviz";
await dv.backend();
const shapes = (await dv.zoo.load("shapes_cnn")).model;
const scene = tf.tidy(() => dv.data.shapes({ n: 1, seed: 7 }).images.squeeze([0]));
const before = tf.memory().numTensors;
"""
# 10 s to a minute on the 64x64 shapes model, depending on the machine's load: runs to the end
FULL = "const ig = await dv.integratedGradients(shapes, scene, { steps: 3000 }); ig.dispose(); tf.memory().numTensors - before"
# the same, interrupted a few seconds in
LONG = "await dv.integratedGradients(shapes, scene, { steps: 3000 })"
LEFT = "tf.memory().numTensors - before"


def progress_text(msg):
    """The text of a DeepViz progress display, or None for any other message."""
    if msg["msg_type"] not in ("display_data", "update_display_data"):
        return None
    display_id = msg["content"].get("transient", {}).get("display_id", "")
    if not display_id.startswith("deepviz-progress"):
        return None
    return msg["content"]["data"]["text/plain"]


def sent_at(msg):
    """When the kernel sent msg (its header's date): the order of sending, whichever socket we read first."""
    date = msg["header"]["date"]
    return date.timestamp() if hasattr(date, "timestamp") else time.time()


def run_cell(km, kc, code, interrupt=None, wait_after=3.0):
    """Executes code; with interrupt ("signal" or "message"), interrupts 2 s after the first progress
    update. Returns the events seen, with times (when the kernel sent them) from the request."""
    msg_id = kc.execute(code)
    t0 = time.time()
    events = []
    reply = None
    interrupted_at = None
    first_progress = None
    deadline = t0 + 300
    idle = False
    while time.time() < deadline:
        if reply is not None and idle and time.time() - t0 > reply["t"] + wait_after:
            break
        try:
            msg = kc.get_iopub_msg(timeout=0.02)
            if msg["parent_header"].get("msg_id") == msg_id:
                t = sent_at(msg) - t0
                text = progress_text(msg)
                if text is not None:
                    events.append({"t": t, "type": msg["msg_type"], "text": text,
                                   "id": msg["content"]["transient"]["display_id"]})
                    if first_progress is None:
                        first_progress = t
                elif msg["msg_type"] == "execute_result":
                    events.append({"t": t, "type": "execute_result", "text": msg["content"]["data"]["text/plain"]})
                elif msg["msg_type"] == "stream":
                    events.append({"t": t, "type": "stream", "text": msg["content"]["text"]})
                elif msg["msg_type"] == "error":
                    events.append({"t": t, "type": "error", "text": msg["content"]["evalue"]})
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
        except queue.Empty:
            pass
        try:
            shell = kc.get_shell_msg(timeout=0.01)
            if shell["parent_header"].get("msg_id") == msg_id and shell["msg_type"] == "execute_reply":
                reply = {"t": sent_at(shell) - t0, "status": shell["content"]["status"], "ename": shell["content"].get("ename")}
        except queue.Empty:
            pass
        if interrupt and interrupted_at is None and first_progress is not None and time.time() - t0 > first_progress + 2:
            interrupted_at = time.time() - t0
            if interrupt == "signal":
                km.interrupt_kernel()
            else:
                kc.control_channel.send(kc.session.msg("interrupt_request", {}))
    return {"events": events, "reply": reply, "interrupted_at": interrupted_at}


def main(kernel_name):
    km, kc = start_new_kernel(kernel_name=kernel_name, startup_timeout=120)
    out = {}
    try:
        setup = kc.execute_interactive(SETUP, timeout=180)
        out["setup"] = setup["content"]["status"]
        out["full"] = run_cell(km, kc, FULL, wait_after=0.5)
        for how in ("signal", "message"):
            out[how] = run_cell(km, kc, LONG, interrupt=how)
            out[how + "_left"] = run_cell(km, kc, LEFT, wait_after=0.5)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
