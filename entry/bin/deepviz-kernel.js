#!/usr/bin/env node
"use strict";
// deepviz-kernel (the package's command): kernel-ext's CLI plus the widget kit's JupyterLab extension on
// install/uninstall. Kernelspecs run kernel-ext/bin/deepviz-kernel.js, which needs no install step.
const path = require("path");
require("../../kernel-ext/bin/load")("kernel-cli", path.join(__dirname, "..")).main(process.argv.slice(2));
