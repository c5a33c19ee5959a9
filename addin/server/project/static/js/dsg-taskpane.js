// The task pane's "Open the return": the Refresh sheet's single-use link, fetched signed in,
// opened as a new workbook in Excel (Excel.createWorkbook), never saved on the server's path.
const DSG_LOG_SHEET = "Refresh";
const DSG_DOWNLOAD_CELL = "A5:B5";

function dsgBase64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

async function dsgDownloadLink() {
  return await Excel.run(async (context) => {
    const sheet = context.workbook.worksheets.getItemOrNullObject(DSG_LOG_SHEET);
    await context.sync();
    if (sheet.isNullObject) return null;
    const cells = sheet.getRange(DSG_DOWNLOAD_CELL);
    cells.load("values");
    await context.sync();
    const [label, url] = cells.values[0];
    return label === "Download" && url ? String(url) : null;
  });
}

async function dsgOpenReturn(status) {
  const url = await dsgDownloadLink();
  if (!url) {
    status.textContent = "No download link on the Refresh sheet: run the refresh first.";
    return false;
  }
  const authResult =
    typeof globalThis.getAuth === "function"
      ? await globalThis.getAuth()
      : { token: "", provider: "" };
  const headers = {};
  if (authResult.token) {
    headers["Authorization"] = authResult.token.startsWith("Bearer ")
      ? authResult.token
      : "Bearer " + authResult.token;
    headers["Auth-Provider"] = authResult.provider;
  }
  const response = await fetch(url, { headers: headers });
  if (!response.ok) {
    status.textContent = await response.text();
    return false;
  }
  await Excel.createWorkbook(dsgBase64(await response.arrayBuffer()));
  status.textContent = "The return opened in a new workbook: save it where you keep returns.";
  return true;
}

globalThis.dsgOpenReturn = dsgOpenReturn;
if (typeof document !== "undefined" && document.getElementById) {
  const button = document.getElementById("dsg-open-return");
  if (button) {
    button.addEventListener("click", async () => {
      const status = document.getElementById("dsg-status");
      button.setAttribute("disabled", "true");
      try {
        await dsgOpenReturn(status);
      } catch (error) {
        status.textContent = String(error);
      } finally {
        button.removeAttribute("disabled");
      }
    });
  }
}
