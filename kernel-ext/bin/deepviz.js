#!/usr/bin/env node
"use strict";
// deepviz: run notebooks headlessly (`deepviz run NB.ipynb`).
require("./load")("cli").main(process.argv.slice(2));
