// The counter device's panel on the desk page: pairing, the caseworker's requests to the device facing the
// citizen, and what comes back (identity, confirmation, signature, print, scan, feedback, "I don't understand").
// It listens for desk.js's "balie:desk" event ({deskId, deskName, visit}) and talks over /console/counter/ws
// (backoffice/DESK.md "Counter link"). Its words come from #counter-texts in the page's <html lang>. What the
// device reads of the citizen is shown, never stored: a new visit or no visit clears the panel.
"use strict";

(() => {
  const ALL_TEXTS = JSON.parse(document.getElementById("counter-texts").textContent);
  const lang = document.documentElement.lang === "en" ? "en" : "nl";
  const T = ALL_TEXTS[lang];
  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
  const query = lang === "en" ? "?lang=en" : "";
  const BACKOFF_MS = [500, 1000, 2000, 5000];
  const MAX_PDF = 8 * 1024 * 1024;
  const FIELDS = ["surname", "given_names", "date_of_birth", "personal_number", "document_number", "nationality", "expiry"];

  let socket = null;
  let failures = 0;
  let deskId = null;
  let visitKey = null;
  let counterState = null;
  let nextId = 1;
  const PAGE_ID = Math.random().toString(36).slice(2, 8); // two tabs at one desk never send the same id
  let signatureUrl = null;
  const asked = new Map(); // request id -> kind, until its answer

  // --- the line --------------------------------------------------------------------------------------

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/console/counter/ws${query}`);
    socket.onopen = () => {
      failures = 0;
      watch();
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      (HANDLERS[message.type] || (() => {}))(message);
    };
    socket.onclose = () => {
      socket = null;
      if (deskId !== null) $("counter-state").textContent = T.line_lost;
      setActions(false);
      failAllAsked(T.line_lost);
      setTimeout(connect, BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)]);
    };
  }

  function send(message) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  function watch() {
    send({ type: "watch", desk_id: deskId });
  }

  function ask(kind, body) {
    const id = `${PAGE_ID}-${nextId++}`;
    alert("");
    if (!send({ type: kind, id, ...(body || {}) })) {
      alert(T.line_lost);
      return;
    }
    asked.set(id, kind);
    status(T[`asked_${kind}`] || "");
  }

  function failAllAsked(detail) {
    if (asked.size) alert(detail);
    asked.clear();
  }

  // --- what the backoffice and the device say --------------------------------------------------------

  const HANDLERS = {
    counter_state(m) {
      if (m.desk_id !== deskId) return;
      counterState = m.state;
      $("counter-state").textContent = fill(T[`state_${m.state}`] || m.state, { device: m.device || "" });
      $("counter-pair-form").hidden = m.state !== "unpaired";
      $("counter-unpair").hidden = m.state === "unpaired";
      setActions(m.state === "online");
    },
    sent() {},
    identity(m) {
      answered(m);
      showIdentity(m);
    },
    summary_answer(m) {
      answered(m);
      show("counter-summary-answer", m.correct ? T.summary_correct : T.summary_not_correct);
    },
    signature(m) {
      answered(m);
      showSignature(m);
    },
    printed(m) {
      answered(m);
      show("counter-printed", m.ok ? T.printed : fill(T.print_failed, { detail: m.detail || "" }));
    },
    scan_pages(m) {
      answered(m);
      showPages(m.pages || []);
    },
    feedback(m) {
      answered(m);
      const score = Number.isInteger(m.how_did_it_go) ? m.how_did_it_go : T.skipped;
      const text = m.how_are_you || T.skipped;
      $("counter-feedback-text").textContent = `${fill(T.how_did_it_go, { score })}. ${fill(T.how_are_you, { text })}`;
      $("counter-feedback-result").hidden = false;
    },
    declined(m) {
      answered(m);
      alert(T.declined);
    },
    failed(m) {
      answered(m);
      alert(fill(T.failed, { detail: m.detail || "" }));
    },
    help() {
      alert(T.help);
    },
    error(m) {
      alert(m.detail || m.message || "");
    },
  };

  function answered(m) {
    asked.delete(m.id);
    status("");
  }

  function showIdentity(m) {
    const document_ = m.document || {};
    for (const field of FIELDS) {
      const cell = document.querySelector(`#counter-identity-data dd[data-field="${field}"]`);
      cell.textContent = document_[field] || "";
    }
    const verdict = m.authenticity || m.verdict || "not_verifiable";
    $("counter-verdict").textContent = fill(T[`verdict_${verdict}`] || verdict, { detail: m.verdict_detail || "" });
    $("counter-verdict").className = `verdict-${verdict}`;
    if (typeof m.photo === "string" && m.photo.startsWith("data:image/")) {
      $("counter-photo").src = m.photo;
      $("counter-photo-figure").hidden = false;
    } else {
      $("counter-photo").removeAttribute("src");
      $("counter-photo-figure").hidden = true;
    }
    $("counter-identity").hidden = false;
  }

  function showSignature(m) {
    if (signatureUrl) URL.revokeObjectURL(signatureUrl);
    signatureUrl = URL.createObjectURL(new Blob([m.svg || ""], { type: "image/svg+xml" }));
    $("counter-signature-image").src = signatureUrl;
    $("counter-signature-svg").href = signatureUrl;
    $("counter-signature-png").href = `data:image/png;base64,${m.png_base64 || ""}`;
    $("counter-signature").hidden = false;
  }

  function showPages(pages) {
    const list = $("counter-pages");
    list.replaceChildren();
    pages.forEach((page, index) => {
      const item = document.createElement("li");
      const image = document.createElement("img");
      image.src = `data:image/jpeg;base64,${page}`;
      image.alt = fill(T.page, { n: index + 1 });
      item.append(image);
      list.append(item);
    });
    $("counter-scan-result").hidden = false;
  }

  // --- the panel -------------------------------------------------------------------------------------

  function alert(text) {
    $("counter-alert").textContent = text;
  }

  function status(text) {
    $("counter-status").textContent = text;
  }

  function show(id, text) {
    $(id).textContent = text;
    $(id).hidden = false;
  }

  function setActions(online) {
    $("counter-actions").hidden = !online;
  }

  function clearResults() {
    // The citizen's data leaves the page with the visit, as it leaves the device.
    for (const id of ["counter-identity", "counter-summary-answer", "counter-signature", "counter-printed",
                      "counter-scan-result", "counter-feedback-result"]) {
      $(id).hidden = true;
    }
    for (const cell of document.querySelectorAll("#counter-identity-data dd")) cell.textContent = "";
    $("counter-photo").removeAttribute("src");
    $("counter-signature-image").removeAttribute("src");
    $("counter-signature-png").removeAttribute("href");
    $("counter-signature-svg").removeAttribute("href");
    if (signatureUrl) URL.revokeObjectURL(signatureUrl);
    signatureUrl = null;
    $("counter-pages").replaceChildren();
    $("counter-feedback-text").textContent = "";
    asked.clear();
    status("");
    alert("");
  }

  function addLine(label, value) {
    const lines = $("counter-summary-lines");
    const n = lines.children.length + 1;
    const row = document.createElement("div");
    row.className = "counter-line";
    for (const [part, key, text] of [["label", "line_label", label], ["value", "line_value", value]]) {
      const cell = document.createElement("div");
      const caption = document.createElement("label");
      const input = document.createElement("input");
      input.id = `counter-line-${n}-${part}`;
      input.maxLength = 400;
      input.autocomplete = "off";
      input.dataset.part = part;
      input.value = text || "";
      caption.htmlFor = input.id;
      caption.textContent = fill(T[key], { n });
      cell.append(caption, input);
      row.append(cell);
    }
    lines.append(row);
  }

  function summaryLines() {
    return [...document.querySelectorAll("#counter-summary-lines .counter-line")]
      .map((row) => ({
        label: row.querySelector('[data-part="label"]').value.trim(),
        value: row.querySelector('[data-part="value"]').value.trim(),
      }))
      .filter((line) => line.label || line.value);
  }

  async function post(path, body) {
    const answer = await fetch(`/console/counter/api/${path}${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    let data = {};
    try {
      data = await answer.json();
    } catch {
      data = {};
    }
    if (!answer.ok) throw new Error(data.detail || `HTTP ${answer.status}`);
    return data;
  }

  function readPdf(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  // --- the caseworker's controls ---------------------------------------------------------------------

  $("counter-pair-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    alert("");
    try {
      await post("pair", { desk_id: deskId, code: $("counter-code").value });
      $("counter-code").value = "";
      status(T.paired);
    } catch (error) {
      alert(error.message); // the code stays in the field to be corrected
    }
  });
  $("counter-unpair").addEventListener("click", async () => {
    alert("");
    try {
      await post("unpair", { desk_id: deskId });
    } catch (error) {
      alert(error.message);
    }
  });
  $("counter-identify").addEventListener("click", () => ask("identify"));
  $("counter-scan").addEventListener("click", () => ask("scan"));
  $("counter-feedback").addEventListener("click", () => ask("feedback"));
  $("counter-add-line").addEventListener("click", () => addLine());
  $("counter-summary-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const lines = summaryLines();
    if (!lines.length) {
      alert(T.summary_needs_lines);
      return;
    }
    ask("summary", { title: $("counter-summary-title").value.trim(), lines });
  });
  $("counter-signature-form").addEventListener("submit", (event) => {
    event.preventDefault();
    ask("signature", { purpose: $("counter-signature-purpose").value.trim() });
  });
  $("counter-receipt-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const lines = $("counter-receipt-lines").value.split("\n").map((line) => line.trim()).filter(Boolean);
    ask("print", { receipt: { title: $("counter-receipt-title").value.trim(), lines } });
  });
  $("counter-pdf-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = $("counter-pdf").files[0];
    if (!file) return alert(T.pdf_missing);
    if (file.size > MAX_PDF) return alert(T.pdf_too_large);
    try {
      ask("print", { pdf_base64: await readPdf(file) });
    } catch (error) {
      alert(error.message);
    }
  });

  document.addEventListener("balie:desk", (event) => {
    const detail = event.detail || {};
    const chosen = detail.deskId ?? null;
    const visit = detail.visit ? JSON.stringify(detail.visit) : null;
    // A visit that went (done, transferred, no-show): the device forgets the citizen too. After `done` the
    // backoffice has already told it; after a transfer or a no-show only this page knows.
    if (visitKey !== null && visit !== visitKey && chosen === deskId) send({ type: "visit_ended" });
    if (visit !== visitKey || chosen !== deskId) clearResults();
    visitKey = visit;
    $("counter-panel").hidden = chosen === null;
    if (chosen !== deskId) {
      deskId = chosen;
      counterState = null;
      setActions(false);
      $("counter-pair-form").hidden = true;
      $("counter-unpair").hidden = true;
      $("counter-state").textContent = T.state_connecting;
      watch();
    }
  });

  for (let i = 0; i < 3; i++) addLine();
  connect();
})();
