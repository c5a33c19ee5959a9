// Runs the custom-functions JavaScript that `dsg serve` serves, as Excel's shared runtime would,
// with stand-ins for the Office.js API (Office, Excel, CustomFunctions) and xlwings' task-pane
// bridges (config, xlwings, xwRequest over fetch). Usage:
//   node custom_functions.js BASE_URL CALLS.json
// CALLS.json: [[NAME, [arg, ...]], ...] with every argument a 2-D matrix, as Excel passes a range.
// Prints one JSON line: {"registered": [...], "results": [{"name", "value"} or {"name", "error"}]}.
"use strict";
const fs = require("fs");
const vm = require("vm");

async function main() {
  const [base, callsPath] = process.argv.slice(2);
  const calls = JSON.parse(fs.readFileSync(callsPath, "utf8"));
  const registered = {};

  globalThis.window = { location: { origin: base } };
  globalThis.localStorage = undefined; // like private browsing: falls back to a fresh id
  globalThis.Office = {
    onReady: (callback) => {
      if (callback) callback({ host: "Excel" });
      return Promise.resolve({ host: "Excel" });
    },
    context: { requirements: { isSetSupported: () => true } },
  };
  globalThis.Excel = {
    RequestContext: class {
      constructor() {
        this.workbook = { name: "DSG model.xlsx", load() {} };
      }
      async sync() {}
    },
  };
  globalThis.CustomFunctions = {
    associate: (name, fn) => {
      registered[name] = fn;
    },
    ErrorCode: { invalidValue: "#VALUE!" },
    Error: class extends Error {
      constructor(code, message) {
        super(message);
        this.code = code;
      }
    },
  };
  globalThis.config = {
    customFunctionsMaxRetries: 1,
    customFunctionsRetryCodes: [500, 502, 503, 504],
    requestTimeout: 30,
    onWasm: false,
  };
  globalThis.xlwings = {
    getCultureInfoName: async () => "en-GB",
    getDateFormat: async () => "dd/mm/yyyy",
  };
  globalThis.getAuth = async () => ({ token: "", provider: "" });
  globalThis.xwRequest = {
    post: async (url, body, options) => {
      const response = await fetch(url, {
        method: "POST",
        headers: options.headers,
        body: JSON.stringify(body),
      });
      const text = await response.text();
      let data;
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
      if (!response.ok) {
        const error = new Error(`HTTP ${response.status}`);
        error.response = { status: response.status, data: data, statusText: "" };
        throw error;
      }
      return { data: data };
    },
  };

  const code = await (await fetch(`${base}/xlwings/custom-functions-code.js`)).text();
  vm.runInThisContext(code, { filename: "custom-functions-code.js" });

  const results = [];
  for (const [name, args] of calls) {
    const fn = registered[name.toUpperCase()];
    if (!fn) {
      results.push({ name: name, error: "not registered" });
      continue;
    }
    const invocation = { address: "Dashboard!B2", setResult() {} };
    try {
      results.push({ name: name, value: await fn(...args, invocation) });
    } catch (error) {
      results.push({ name: name, error: error.message, code: error.code });
    }
  }
  console.log(JSON.stringify({ registered: Object.keys(registered).sort(), results: results }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
