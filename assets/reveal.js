// What is shown once and must never sit in the server's state store (the key and QR code of a
// two-step enrolment, the recovery codes) reaches the page through these functions, called by
// the handler that made it; the server keeps the secret sealed, and the codes only hashed.
(function () {
  function whenThere(ids, then, tries) {
    const found = ids.map((id) => document.getElementById(id));
    if (found.every(Boolean)) return then(...found);
    if ((tries || 0) < 200) setTimeout(() => whenThere(ids, then, (tries || 0) + 1), 25);
  }
  window.lcadminRevealEnrolment = function (key, qr) {
    whenThere(["setup-key", "enrol-qr"], (keyElement, qrElement) => {
      keyElement.textContent = key;
      qrElement.setAttribute("src", qr);
    });
  };
  window.lcadminRevealCodes = function (codes) {
    whenThere(["recovery-codes"], (list) => {
      list.replaceChildren(...codes.map((code) => {
        const item = document.createElement("li");
        const text = document.createElement("code");
        text.className = "rt-reset rt-Code rt-r-size-3 rt-variant-ghost";
        text.textContent = code;
        item.appendChild(text);
        return item;
      }));
    });
  };
  function textOf(id) {
    const element = document.getElementById(id);
    if (!element) return "";
    const items = element.querySelectorAll("li");
    return items.length ? Array.from(items, (item) => item.textContent.trim()).join("\n") : element.textContent.trim();
  }
  window.lcadminCopy = function (id) {
    const text = textOf(id);
    if (text && navigator.clipboard) navigator.clipboard.writeText(text);
  };
  window.lcadminDownloadCodes = function (id, name) {
    const list = document.getElementById(id);
    const text = textOf(id);
    if (!list || !text) return;
    const body = [list.dataset.title || "", "", text, "", list.dataset.note || "", ""].join("\n");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([body], { type: "text/plain;charset=utf-8" }));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 0);
  };
})();
