// The caseworker console: the call queue, WebRTC with the kiosk, and the side panels.
// The kiosk makes the offer (aiortc gathers its candidates first); this page answers with a complete SDP.
// All words come from the page (#console-texts), so the script has no language of its own.
"use strict";

(() => {
  const T = JSON.parse(document.getElementById("console-texts").textContent);
  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));

  let socket = null;
  let iceServers = [];
  let callId = null;
  let pc = null;
  let localStream = null;
  let muted = false;
  let endedCallId = null;
  let pages = 0;
  let queueShown = { calls: [], at: 0 };

  // --- the line to the server -----------------------------------------------------------------------

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
      return true;
    }
    $("line-status").textContent = T.line_lost;
    return false;
  }

  function connect(delay) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/console/ws`);
    socket.onopen = () => {
      $("line-status").textContent = "";
      delay = 500;
      const chosen = document.querySelector("input[name=status]:checked");
      if (chosen && chosen.value !== "away") send({ type: "status.set", status: chosen.value });
    };
    socket.onmessage = (event) => handle(JSON.parse(event.data));
    socket.onclose = (event) => {
      if (event.code === 1008) {
        location.href = `/signin?next=/console${location.search ? "&" + location.search.slice(1) : ""}`;
        return;
      }
      $("line-status").textContent = T.line_lost;
      setTimeout(() => connect(Math.min(delay * 2, 8000)), delay);
    };
  }

  // --- messages from the server ---------------------------------------------------------------------

  const handlers = {
    status(m) {
      if (m.ice_servers) iceServers = m.ice_servers;
      const radio = document.querySelector(`input[name=status][value=${m.status}]`);
      if (radio) radio.checked = true;
    },
    queue(m) { queueShown = { calls: m.calls, at: Date.now() }; showQueue(); },
    "call.ringing"() { /* the queue listing marks it; the alert is spoken there */ },
    "call.taken"() { $("call-alert").textContent = ""; },
    "call.connected"(m) {
      callId = m.call_id;
      endedCallId = null;
      $("call-status").textContent = fill(T.connected, m);
      $("call-alert").textContent = "";
      for (const id of ["videos", "call-buttons", "panels", "outcome-form"]) $(id).hidden = false;
      $("outcome-status").textContent = "";
      resetPanels();
    },
    "signal.offer"(m) { answerOffer(m.sdp).catch((error) => showError(String(error))); },
    "call.reconnecting"() { $("call-status").textContent = T.reconnecting; },
    "call.resumed"() { $("call-status").textContent = T.connecting; },
    "call.ended"(m) {
      endedCallId = m.call_id;
      callId = null;
      closePeer();
      $("call-status").textContent = fill(T.ended, { reason: T[`reason_${m.reason}`] || m.reason });
      for (const id of ["videos", "call-buttons", "panels"]) $(id).hidden = true;
      $("outcome-form").hidden = false;
    },
    "identity.progress"() { $("identity-status").textContent = T.identity_asked; },
    "identity.failed"(m) { $("identity-status").textContent = fill(T.identity_failed, { reason: m.reason || "" }); },
    "identity.result"(m) { showIdentity(m); },
    history(m) { showHistory(m.contacts); },
    "scan.page"(m) { showPage(m); },
    "scan.done"() { $("scan-status").textContent = ""; },
    "scan.failed"(m) { $("scan-status").textContent = fill(T.scan_failed, { reason: m.reason || "" }); },
    "print.done"() { $("print-status").textContent = T.print_done; },
    "print.failed"(m) { $("print-status").textContent = fill(T.print_failed, { reason: m.reason || "" }); },
    "message.shown"() { $("message-status").textContent = T.message_shown; },
    "citizen.cant_hear"() { $("call-alert").textContent = T.cant_hear; },
    "chat.message"(m) { addChat(T.chat_citizen, m.text || ""); },
    "outcome.saved"() { $("outcome-status").textContent = T.outcome_saved; $("outcome-form").reset(); },
    replaced() { $("line-status").textContent = T.replaced; },
    error(m) { showError(m.message); },
    hello() {},
  };

  function handle(message) {
    const handler = handlers[message.type];
    if (handler) handler(message);
  }

  function showError(text) {
    $("call-alert").textContent = fill(T.error, { message: text });
  }

  // --- the queue ------------------------------------------------------------------------------------

  function showQueue() {
    // The server sends the queue when it changes; the waiting times are counted up here.
    const elapsed = Math.floor((Date.now() - queueShown.at) / 1000);
    const calls = queueShown.calls;
    const list = $("queue");
    const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement.dataset.call : null;
    list.replaceChildren();
    $("queue-empty").hidden = calls.length > 0;
    for (const call of calls) {
      const item = document.createElement("li");
      if (call.ringing_you) item.className = "ringing";
      const what = document.createElement("span");
      const waited = call.waiting_seconds + elapsed;
      const minutes = Math.floor(waited / 60);
      const seconds = waited % 60;
      what.id = `call-${call.call_id}`;
      what.textContent = `${call.ringing_you ? T.ringing + ": " : ""}${call.location} · ${call.topic} · ${fill(T.waiting_for, { minutes, seconds })}`;
      const answer = document.createElement("button");
      answer.type = "button";
      answer.textContent = T.answer;
      answer.setAttribute("aria-describedby", what.id);
      answer.disabled = callId !== null;
      answer.dataset.call = call.call_id;
      answer.addEventListener("click", () => {
        $("call-status").textContent = T.connecting;
        send({ type: "call.answer", call_id: call.call_id });
      });
      item.append(what, " ", answer);
      list.append(item);
      if (focused === call.call_id) answer.focus(); // a keyboard user keeps their place
    }
    if (calls.some((call) => call.ringing_you) && callId === null) {
      $("call-alert").textContent = T.ringing;
    }
  }

  // --- WebRTC ---------------------------------------------------------------------------------------

  async function ownMedia() {
    if (localStream) return localStream;
    try {
      localStream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch (error) {
      $("call-alert").textContent = T.no_media;
      localStream = new MediaStream();
    }
    $("own-video").srcObject = localStream;
    return localStream;
  }

  function closePeer() {
    if (pc) pc.close();
    pc = null;
  }

  async function answerOffer(sdp) {
    closePeer(); // a fresh offer (reconnect, reloaded page) always means a fresh connection
    const stream = await ownMedia();
    pc = new RTCPeerConnection({ iceServers });
    const current = pc;
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    pc.ontrack = (event) => {
      const video = $("remote-video");
      if (!video.srcObject) video.srcObject = new MediaStream();
      video.srcObject.addTrack(event.track);
    };
    pc.onconnectionstatechange = () => {
      if (current.connectionState === "failed" || current.connectionState === "disconnected") {
        $("call-status").textContent = T.reconnecting;
      } else if (current.connectionState === "connected") {
        $("call-status").textContent = $("call-status").textContent === T.reconnecting ? T.connecting : $("call-status").textContent;
      }
    };
    $("remote-video").srcObject = null;
    await pc.setRemoteDescription({ type: "offer", sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    if (pc === current) send({ type: "signal.answer", sdp: pc.localDescription.sdp });
  }

  function gathered(peer) {
    // aiortc takes no trickled candidates: the answer goes once, with every candidate in it.
    if (peer.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { if (peer.iceGatheringState === "complete") resolve(); };
      peer.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 3000);
    });
  }

  // For tests and the technician: frames decoded from the kiosk and sent to it.
  window.balieConsole = {
    async stats() {
      const result = { framesDecoded: 0, framesSent: 0, audioBytesReceived: 0, state: pc ? pc.connectionState : "none" };
      if (!pc) return result;
      (await pc.getStats()).forEach((report) => {
        if (report.type === "inbound-rtp" && report.kind === "video") result.framesDecoded += report.framesDecoded || 0;
        if (report.type === "inbound-rtp" && report.kind === "audio") result.audioBytesReceived += report.bytesReceived || 0;
        if (report.type === "outbound-rtp" && report.kind === "video") result.framesSent += report.framesSent || 0;
      });
      return result;
    },
  };

  // --- the side panels ------------------------------------------------------------------------------

  function resetPanels() {
    $("identity-status").textContent = "";
    $("identity-data").hidden = true;
    $("chip-photo-figure").hidden = true;
    $("chip-photo").removeAttribute("src");
    $("history").replaceChildren();
    $("history-status").textContent = T.history_unknown;
    $("pages").replaceChildren();
    $("scan-status").textContent = "";
    $("print-status").textContent = "";
    $("message-status").textContent = "";
    $("chat").replaceChildren();
    pages = 0;
  }

  function showIdentity(m) {
    const data = m.document || {};
    $("identity-status").textContent = "";
    for (const cell of document.querySelectorAll("#identity-data dd[data-field]")) {
      cell.textContent = data[cell.dataset.field] || "";
    }
    const verdict = m.verdict || "not_verifiable";
    $("verdict").textContent = fill(T[`verdict_${verdict}`] || verdict, { detail: m.verdict_detail || "" });
    $("verdict").className = `verdict-${verdict}`;
    $("identity-data").hidden = false;
    if (m.photo) {
      $("chip-photo").src = m.photo;
      $("chip-photo-figure").hidden = false;
    }
  }

  function showHistory(contacts) {
    const list = $("history");
    list.replaceChildren();
    $("history-status").textContent = contacts.length ? "" : T.history_empty;
    for (const c of contacts) {
      const item = document.createElement("li");
      const when = c.days_ago === 0 ? T.days_ago_0 : c.days_ago === 1 ? T.days_ago_1 : fill(T.days_ago_n, { n: c.days_ago });
      // A counter visit's times, in minutes the backoffice rounded: "wachtte 12 min, 8 min aan de balie".
      const times = [
        c.waited_minutes == null ? "" : fill(T.visit_waited, { minutes: c.waited_minutes }),
        c.service_minutes == null ? "" : fill(T.visit_served, { minutes: c.service_minutes }),
      ].filter(Boolean).join(", ");
      const parts = [when, T[`channel_${c.channel}`] || c.channel, times, c.topic, c.outcome, c.location, c.caseworker];
      item.textContent = parts.filter(Boolean).join(" · ");
      list.append(item);
    }
  }

  function addChat(who, text) {
    const item = document.createElement("li");
    const name = document.createElement("strong");
    name.textContent = `${who}: `;
    item.append(name, text);
    $("chat").append(item);
  }

  function showPage(m) {
    pages += 1;
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = m.data;
    link.download = `scan-${pages}.${m.content_type === "application/pdf" ? "pdf" : "jpg"}`;
    link.textContent = fill(T.page, { n: m.index || pages });
    if (m.content_type && m.content_type.startsWith("image/")) {
      const image = document.createElement("img");
      image.src = m.data;
      image.alt = fill(T.page, { n: m.index || pages });
      link.replaceChildren(image);
    }
    item.append(link);
    $("pages").append(item);
  }

  // --- controls -------------------------------------------------------------------------------------

  for (const radio of document.querySelectorAll("input[name=status]")) {
    radio.addEventListener("change", () => send({ type: "status.set", status: radio.value }));
  }

  $("mute").addEventListener("click", () => {
    muted = !muted;
    if (localStream) for (const track of localStream.getAudioTracks()) track.enabled = !muted;
    $("mute").setAttribute("aria-pressed", String(muted));
    $("mute").textContent = muted ? T.unmute : T.mute;
  });

  $("end-call").addEventListener("click", () => send({ type: "call.end" }));

  $("read-document").addEventListener("click", () => {
    if (send({ type: "identity.request" })) $("identity-status").textContent = T.identity_asked;
  });

  $("ask-scan").addEventListener("click", () => {
    if (send({ type: "scan.request" })) $("scan-status").textContent = T.scan_asked;
  });

  $("print-pdf").addEventListener("click", () => {
    const file = $("pdf-file").files[0];
    if (!file) { $("pdf-file").focus(); return; }
    const reader = new FileReader();
    reader.onload = () => {
      const base64 = String(reader.result).split(",", 2)[1] || "";
      if (send({ type: "print.pdf", name: file.name, pdf: base64 })) $("print-status").textContent = T.print_sent;
    };
    reader.readAsDataURL(file);
  });

  $("show-message").addEventListener("click", () => {
    const text = $("message-text").value.trim();
    if (!text) { $("message-text").focus(); return; }
    if (send({ type: "message.show", text })) $("message-status").textContent = "";
  });

  function sendChat() {
    const text = $("chat-text").value.trim();
    if (!text) { $("chat-text").focus(); return; }
    if (send({ type: "chat.message", text })) {
      addChat(T.chat_you, text);
      $("chat-text").value = "";
    }
  }
  $("send-chat").addEventListener("click", sendChat);
  $("chat-text").addEventListener("keydown", (event) => { if (event.key === "Enter") sendChat(); });

  $("outcome-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const target = callId || endedCallId;
    if (!target) return;
    send({ type: "call.outcome", call_id: target, outcome: $("outcome").value, note: $("note").value });
  });

  setInterval(() => { if (queueShown.calls.length) showQueue(); }, 1000);
  connect(500);
})();
