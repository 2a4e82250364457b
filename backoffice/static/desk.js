// The desk page: sign in to a desk, see who waits, call next, recall, transfer, no-show, done.
// Every change goes through /console/desk/api and answers with the whole new state, which is drawn as is.
// All words come from the page (#desk-texts). Whenever the desk or the visit changes, the page tells the
// counter link's panel with a "balie:desk" event: {deskId, deskName, visit: {label, topic} | null}.
"use strict";

(() => {
  const T = JSON.parse(document.getElementById("desk-texts").textContent);
  const $ = (id) => document.getElementById(id);
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
  const lang = new URLSearchParams(location.search).get("lang") === "en" ? "en" : "nl";
  const minutes = (seconds) => Math.floor(seconds / 60);
  const POLL_MS = 5000;

  let shown = null;
  let announced = "";
  let busy = false;

  function element(tag, text, className) {
    const made = document.createElement(tag);
    if (text !== undefined) made.textContent = text;
    if (className) made.className = className;
    return made;
  }

  function option(value, text) {
    const made = element("option", text);
    made.value = value;
    return made;
  }

  function replaceOptions(select, options) {
    const keep = select.value;
    select.replaceChildren(...options);
    if ([...select.options].some((o) => o.value === keep)) select.value = keep;
  }

  // --- talking to the server -----------------------------------------------------------------------

  async function request(path, body) {
    const options = body === undefined
      ? { credentials: "same-origin" }
      : { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body) };
    let answer;
    try {
      answer = await fetch(`/console/desk/api/${path}`, options);
    } catch (error) {
      $("line-status").textContent = T.line_lost;
      return null;
    }
    $("line-status").textContent = "";
    if (answer.status === 401) {
      location.href = `/signin?next=/console/desk${lang === "en" ? "&lang=en" : ""}`;
      return null;
    }
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      $("desk-alert").textContent = fill(T.error, { message: data.detail || answer.statusText });
      return null;
    }
    return data;
  }

  async function act(path, body, done) {
    if (busy) return;
    busy = true;
    setButtons(shown);
    $("desk-alert").textContent = "";
    try {
      const state = await request(path, body || {});
      if (state) {
        draw(state);
        if (done) $("visit-status").textContent = done(state);
      }
    } finally {
      busy = false;
      setButtons(shown);
      keepFocus();
    }
  }

  // A button that just disabled itself (Call next) or a form that just hid itself (Done) drops the
  // keyboard user's focus on the page body; give it to what comes next instead.
  function keepFocus() {
    const at = document.activeElement;
    if (at && at !== document.body && !at.disabled && at.checkVisibility()) return;
    const next = shown && shown.current ? $("recall") : shown && shown.desk ? $("call-next") : $("desk-choice");
    if (next && !next.disabled && next.checkVisibility()) next.focus();
  }

  async function refresh() {
    const state = await request("state");
    if (state) draw(state);
  }

  // --- drawing the state ---------------------------------------------------------------------------

  function drawDesk(state) {
    const desk = state.desk;
    $("desk-signed-in").hidden = !desk;
    $("desk-signed-out").hidden = !!desk;
    const free = state.desks.map((d) => option(String(d.id),
      d.taken_by && !d.mine ? fill(T.desk_taken, { name: fill(T.desk_option, d), user: d.taken_by })
                            : fill(T.desk_option, d)));
    replaceOptions($("desk-choice"), free);
    $("sign-in-form").hidden = state.desks.length === 0;
    $("no-desks").hidden = state.desks.length > 0;
    if (desk) {
      $("desk-name").textContent = fill(T.at_desk, desk);
      $("desk-topics").textContent = fill(T.desk_topics, { topics: desk.topics || T.all_topics });
    }
    $("create-desk").hidden = !state.can_create_desks;
    replaceOptions($("new-location"), state.locations.map((l) => option(String(l.id), l.name)));
  }

  function waitingItem(item) {
    const li = element("li", undefined, [item.mine ? "" : "not-mine", item.due ? "due" : ""].join(" ").trim());
    li.append(element("span", item.label, "label"));
    li.append(element("span", fill(T.waited, { minutes: minutes(item.waited_seconds) })));
    if (item.kind === "appointment" && item.starts_at_local) {
      li.append(element("span", fill(T.appointment, { time: item.starts_at_local })));
    }
    if (item.due) li.append(element("strong", T.due));
    if (!item.mine) li.append(element("span", T.other_desk));
    return li;
  }

  function drawWaiting(state) {
    const groups = new Map();
    for (const item of state.waiting) {
      const key = item.topic || "";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(item);
    }
    const keys = [...groups.keys()].sort((a, b) => (a === "" ? 1 : b === "" ? -1 : a.localeCompare(b)));
    const sections = keys.map((key, index) => {
      const items = groups.get(key);
      const id = `waiting-topic-${index}`;
      const heading = element("h3", key
        ? fill(T.topic_heading, { topic: key, name: state.topics[key] || key, count: items.length })
        : `${T.no_topic} (${items.length})`);
      heading.id = id;
      const list = element("ul", undefined, "waiting-list");
      list.setAttribute("aria-labelledby", id);
      list.append(...items.map(waitingItem));
      const group = element("section");
      group.append(heading, list);
      return group;
    });
    $("waiting").replaceChildren(...sections);
    $("queue-part").hidden = !state.desk;
    $("waiting-empty").hidden = state.waiting.length > 0;
    $("recent-empty").hidden = state.recent_calls.length > 0;
    $("recent").replaceChildren(...state.recent_calls.map((c) =>
      element("li", `${fill(T.recent_line, c)} ${c.kind === "recall" ? T.recall_mark : ""}`.trim())));
  }

  function drawVisit(state) {
    const visit = state.current;
    $("visit").hidden = !visit;
    $("visit-panels").hidden = !visit;
    $("call-buttons").hidden = !state.desk;
    if (!visit) {
      if (!state.desk) $("visit-status").textContent = T.sign_in_first;
      else if (!$("visit-status").textContent || shown?.current || !shown?.desk) $("visit-status").textContent = T.no_visit;
      return;
    }
    $("visit-label").textContent = fill(T.visit_line, { label: visit.label, topic: visit.topic_name });
    $("visit-times").textContent = fill(T.visit_times, {
      waited: minutes(visit.waited_seconds), serving: minutes(visit.serving_seconds), recalls: visit.recalls });
    const topics = Object.entries(state.topics).map(([letter, name]) => option(letter, `${letter} – ${name}`));
    replaceOptions($("transfer-topic"), [option("", T.transfer_none), ...topics]);
    const desks = state.desks.filter((d) => !d.mine && d.location_id === state.desk.location_id)
      .map((d) => option(String(d.id), fill(T.desk_option, d)));
    replaceOptions($("transfer-desk"), [option("", T.transfer_none), ...desks]);
  }

  function setButtons(state) {
    const atDesk = !!(state && state.desk);
    const visit = !!(state && state.current);
    $("call-next").disabled = busy || !atDesk || visit;
    $("recall").disabled = busy || !visit;
    $("no-show").disabled = busy || !visit;
    $("sign-out").disabled = busy || visit;
  }

  function tellPanels(state) {
    const visit = state.current ? { label: state.current.label, topic: state.current.topic } : null;
    const detail = { deskId: state.desk ? state.desk.id : null, deskName: state.desk ? state.desk.name : null, visit };
    const key = JSON.stringify(detail);
    if (key === announced) return;
    announced = key;
    document.dispatchEvent(new CustomEvent("balie:desk", { detail }));
  }

  function draw(state) {
    drawDesk(state);
    drawWaiting(state);
    drawVisit(state);
    shown = state;
    setButtons(state);
    tellPanels(state);
  }

  // --- what the caseworker does --------------------------------------------------------------------

  $("sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act("sign-in", { desk_id: Number($("desk-choice").value) });
  });
  $("sign-out").addEventListener("click", () => act("sign-out"));
  $("create-desk-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = $("new-name").value;
    act("desks", { location_id: Number($("new-location").value), name, topics: $("new-topics").value },
      () => fill(T.created, { name }));
    $("new-name").value = "";
    $("new-topics").value = "";
  });
  $("call-next").addEventListener("click", () =>
    act("call-next", {}, (s) => (s.current ? fill(T.called, { label: s.current.label, desk: s.desk.name }) : "")));
  $("recall").addEventListener("click", () =>
    act("recall", {}, (s) => (s.current ? fill(T.called, { label: s.current.label, desk: s.desk.name }) : "")));
  $("no-show").addEventListener("click", () => act("no-show", {}, () => T.no_showed));
  $("transfer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const topic = $("transfer-topic").value;
    const desk = $("transfer-desk").value;
    const body = desk ? { desk_id: Number(desk) } : topic ? { topic } : {};
    act("transfer", body, () => T.transferred);
  });
  $("done-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { outcome: $("outcome").value, note: $("note").value || null };
    act("done", body, () => T.done_saved).then(() => {
      if (!shown || !shown.current) $("done-form").reset();
    });
  });

  refresh();
  setInterval(() => { if (!busy && document.visibilityState === "visible") refresh(); }, POLL_MS);
})();
