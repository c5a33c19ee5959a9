// Runs the served ribbon.js and dsg-taskpane.js as Excel would, with Office.js stood in:
// the ribbon's Refresh button runs the refresh script on the server (the stand-in for
// xlwings.runPython posts the book to it), the Refresh sheet gets the script's values, and
// the task pane's "Open the return" reads the link from it, downloads the return and hands
// it to Excel.createWorkbook. Usage: node taskpane.js BASE_URL BOOK.json
// Prints one JSON line with what happened.
"use strict";
const fs = require("fs");
const vm = require("vm");

async function main() {
  const [base, bookPath] = process.argv.slice(2);
  const book = JSON.parse(fs.readFileSync(bookPath, "utf8"));
  const associated = {};
  const sheets = {}; // sheet name -> 2-D values written by the script
  const created = [];
  const scriptCalls = [];

  globalThis.document = undefined;
  globalThis.Office = {
    actions: { associate: (name, fn) => (associated[name] = fn) },
  };
  globalThis.getAuth = async () => ({ token: "", provider: "" });
  globalThis.xlwings = {
    runPython: async ({ scriptName }) => {
      scriptCalls.push(scriptName);
      const response = await fetch(`${base}/xlwings/custom-scripts-call/${scriptName}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(book),
      });
      const data = await response.json();
      for (const action of data.actions) {
        if (action.func === "addSheet") sheets[action.args[1]] = [];
        // the Refresh sheet's log is written from A1 (the fan block beside it from E1)
        if (action.func === "setValues" && action.start_row === 0 && action.start_column === 0) {
          const name = book.sheets[action.sheet_position]
            ? book.sheets[action.sheet_position].name
            : Object.keys(sheets).pop();
          sheets[name] = action.values;
        }
      }
    },
  };
  globalThis.Excel = {
    run: async (callback) => {
      const context = {
        sync: async () => {},
        workbook: {
          worksheets: {
            getItemOrNullObject: (name) => ({
              isNullObject: !(name in sheets),
              getRange: (address) => {
                const range = { values: null };
                range.load = () => {
                  const rows = sheets[name] || [];
                  range.values = [(rows[4] || ["", ""]).slice(0, 2)]; // A5:B5
                };
                return range;
              },
            }),
          },
        },
      };
      return await callback(context);
    },
    createWorkbook: async (base64) => created.push(base64),
  };
  globalThis.btoa = (s) => Buffer.from(s, "binary").toString("base64");

  for (const file of ["ribbon.js", "dsg-taskpane.js"]) {
    const code = await (await fetch(`${base}/static/js/${file}`)).text();
    vm.runInThisContext(code, { filename: file });
  }
  let completed = 0;
  await associated["dsg-refresh-return"]({ completed: () => completed++ });
  const status = { textContent: "" };
  const first = await globalThis.dsgOpenReturn(status);
  const firstStatus = status.textContent;
  const second = await globalThis.dsgOpenReturn(status);
  const workbook = created.length ? Buffer.from(created[0], "base64") : Buffer.alloc(0);
  console.log(
    JSON.stringify({
      associated: Object.keys(associated).sort(),
      scriptCalls: scriptCalls,
      completed: completed,
      first: first,
      firstStatus: firstStatus,
      second: second,
      secondStatus: status.textContent,
      created: created.length,
      workbookBytes: workbook.length,
      workbookStart: workbook.subarray(0, 2).toString("binary"),
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
