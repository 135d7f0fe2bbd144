#!/usr/bin/env node
"use strict";
// deepviz-kernel: start the kernel (used by Jupyter), install/uninstall/list its kernelspecs.
require("./load")("kernel-cli").main(process.argv.slice(2));
