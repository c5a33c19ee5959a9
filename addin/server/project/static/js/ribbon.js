// The ribbon's buttons (manifest.xml: FunctionName) run the add-in's two scripts.
async function dsgRunScript(scriptName, event) {
  const authResult =
    typeof globalThis.getAuth === "function"
      ? await globalThis.getAuth()
      : { token: "", provider: "" };
  try {
    await xlwings.runPython({
      auth: authResult.token,
      scriptName: scriptName,
      headers: { "Auth-Provider": authResult.provider },
    });
  } finally {
    event.completed();
  }
}
Office.actions.associate("dsg-refresh-return", (event) =>
  dsgRunScript("refresh_return", event),
);
Office.actions.associate("dsg-import-ehcp-history", (event) =>
  dsgRunScript("import_ehcp_history_script", event),
);
