/* Roadshow room client: one websocket, state on connect, resume with ?since=<seq>.
 * Protocol: docs/websocket-protocol.md. Every piece of user text is put in the page with
 * textContent (never innerHTML), so it shows as text whatever it contains. */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("room-config").textContent);
  const strings = JSON.parse(document.getElementById("room-strings").textContent);
  const zh = (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  const EMOJI = { applause: "👏", heart: "❤️", fire: "🔥", idea: "💡" };
  const NO_RECONNECT = new Set([4403, 4404]);
  const $ = (id) => document.getElementById(id);

  const view = {
    socket: null,
    lastSeq: null, // newest seq applied; sent back as ?since= on reconnect
    attempt: 0,
    clockOffset: 0, // server time minus this browser's time, in ms
    me: { signed_in: false, can_post: false, moderator: false, muted: false },
    room: null,
    chat: new Map(), // seq -> <li>
    pending: new Map(), // client_id -> <li> of a message not yet confirmed
    questions: new Map(), // id -> question
    polls: new Map(), // id -> poll
    myVotes: new Set(), // poll ids this browser voted in
    reactionTotals: {},
    agenda: new Map(), // slot id -> slot
    interest: new Map(), // entry id -> {total, people?} (organisers: who; an entrant: own entries)
    interested: new Set(), // entry ids this person marked interest in
    scoring: null, // judges and organisers: the live round's scale and criteria
    scored: new Set(), // entry ids this judge scored
    progress: new Map(), // organisers: slot id -> how many judges scored
    revealed: new Map(), // slot id -> score.revealed frame
  };

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_m, key) => String(values[key]));
  }
  function pick(obj, field) {
    return (zh ? obj[field + "_zh"] : obj[field + "_en"]) || obj[field + "_zh"] || obj[field + "_en"] || "";
  }
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function userName(user) {
    return pick(user, "name") || fmt(strings.participant, { id: user.id });
  }
  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function serverNow() {
    return Date.now() + view.clockOffset;
  }
  function syncClock(frame) {
    if (typeof frame.server_ms === "number") view.clockOffset = frame.server_ms - Date.now();
  }

  /* --- connection ------------------------------------------------------------------- */

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const since = view.lastSeq === null ? "" : "?since=" + view.lastSeq;
    $("room-connection").textContent = strings.connecting;
    const socket = new WebSocket(scheme + "://" + location.host + config.socket_path + since);
    view.socket = socket;
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_e) {
        return;
      }
      handle(frame);
    });
    socket.addEventListener("close", (event) => {
      if (view.socket !== socket) return;
      view.socket = null;
      if (NO_RECONNECT.has(event.code)) {
        $("room-connection").textContent = strings.closed;
        return;
      }
      // Exponential backoff with jitter: 1, 2, 4 … 30 s.
      const seconds = Math.min(30, 2 ** view.attempt) * (0.75 + Math.random() * 0.5);
      view.attempt += 1;
      $("room-connection").textContent = fmt(strings.reconnecting, { seconds: Math.round(seconds) });
      setTimeout(connect, seconds * 1000);
    });
  }

  function sendFrame(frame) {
    if (view.socket && view.socket.readyState === WebSocket.OPEN) {
      view.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  // Keep proxies from closing an idle socket, and keep the clock in step.
  setInterval(() => sendFrame({ type: "ping" }), 25000);

  function applySeq(frame) {
    if (typeof frame.seq !== "number") return true;
    if (view.lastSeq !== null && frame.seq <= view.lastSeq) return false; // seen already
    view.lastSeq = frame.seq;
    return true;
  }

  const handlers = {
    "room.state": onState,
    pong: syncClock,
    presence: (f) => ($("room-presence").textContent = fmt(strings.viewers, { count: f.count })),
    reactions: onReactions,
    "chat.message": (f) => addMessage(f),
    "chat.hidden": (f) => removeMessage(f.message_seq),
    "question.asked": (f) => upsertQuestion(f.question),
    "question.updated": (f) => upsertQuestion(f.question),
    "question.hidden": (f) => {
      view.questions.delete(f.question_id);
      renderQuestions();
    },
    "poll.opened": (f) => upsertPoll(f.poll),
    "poll.results": (f) => upsertPoll(f.poll),
    "poll.closed": (f) => upsertPoll(f.poll),
    "poll.voted": (f) => {
      view.myVotes.add(f.poll_id);
      renderPolls();
    },
    "room.status": (f) => {
      Object.assign(view.room, { status: f.status, started_at: f.started_at, ended_at: f.ended_at });
      renderRoom();
      if (f.status === "ended") renderVideo();
    },
    "room.slow_mode": (f) => {
      view.room.slow_mode_seconds = f.seconds;
      renderRoom();
    },
    "agenda.updated": (f) => {
      view.agenda = new Map(f.agenda.map((slot) => [slot.id, slot]));
      renderAgenda();
    },
    "pitch.started": (f) => {
      if (f.ended) view.agenda.set(f.ended.id, f.ended);
      view.agenda.set(f.slot.id, f.slot);
      renderAgenda();
    },
    "pitch.extended": (f) => upsertSlot(f.slot),
    "pitch.ended": (f) => upsertSlot(f.slot),
    interest: (f) => {
      view.interest.set(f.entry_id, f);
      renderAgenda();
      renderInterestList();
    },
    "interest.marked": (f) => {
      view.interested.add(f.entry_id);
      $("interest-note").textContent = strings.interest_noted;
      renderPresenting();
    },
    "room.updated": (f) => {
      const videoChanged = JSON.stringify(f.room.video) !== JSON.stringify(view.room.video);
      view.room = f.room;
      renderRoom();
      if (videoChanged) renderVideo();
    },
    "user.muted": (f) =>
      notice(fmt(f.muted ? strings.user_muted : strings.user_unmuted, { name: userName(f.user) })),
    me: (f) => {
      view.me.muted = f.muted;
      $("chat-error").textContent = f.muted ? strings.muted_you : strings.unmuted_you;
      renderRoom();
    },
    "score.submitted": (f) => {
      view.scored.add(f.entry_id);
      $("score-note").textContent = fmt(strings.score_saved, { total: f.total });
    },
    "score.progress": (f) => {
      view.progress.set(f.slot_id, f.scored);
      renderScoreConsole();
    },
    "score.revealed": (f) => {
      view.revealed.set(f.slot_id, f);
      renderRevealed();
    },
    error: onError,
  };

  function handle(frame) {
    const handler = handlers[frame.type];
    if (!handler) return;
    // A resend's answer repeats a seq already seen: it only confirms the pending message.
    if (frame.type !== "room.state" && !frame.duplicate && !applySeq(frame)) return;
    handler(frame);
  }

  function onState(state) {
    syncClock(state);
    view.attempt = 0;
    view.lastSeq = state.seq;
    view.room = state.room;
    view.me = state.me;
    $("room-connection").textContent = strings.connected;
    $("room-presence").textContent = fmt(strings.viewers, { count: state.presence });
    view.reactionTotals = state.reactions;
    if (!state.resume) {
      view.chat.clear();
      view.pending.clear();
      $("chat-list").replaceChildren();
      state.chat.forEach((m) => addMessage(m));
      view.questions.clear();
      state.questions.forEach((q) => view.questions.set(q.id, q));
    }
    view.polls.clear();
    state.polls.forEach((p) => view.polls.set(p.id, p));
    view.agenda = new Map(state.agenda.map((slot) => [slot.id, slot]));
    view.interest = new Map(state.interest.map((item) => [item.entry_id, item]));
    view.interested = new Set(state.me.interested_entries);
    view.scoring = state.scoring || null;
    view.scored = new Set(view.scoring ? view.scoring.scored_entries : []);
    if (!state.resume) view.revealed = new Map((state.revealed_scores || []).map((f) => [f.slot_id, f]));
    $("score-card").dataset.slot = ""; // rebuilt for the new state
    renderRevealed();
    renderAgenda();
    renderInterestList();
    renderReactions(state.reaction_kinds);
    renderQuestions();
    renderPolls();
    renderRoom();
    renderEmptyChat();
  }

  const CONSOLE_REQUESTS = /^(room|poll\.open|poll\.close|pitch|agenda|score\.reveal)\b/;

  function onError(frame) {
    const request = frame.for || "";
    if (CONSOLE_REQUESTS.test(request) && $("console-error")) {
      $("console-error").textContent = frame.message;
    } else if (request === "score.submit") {
      $("score-note").textContent = frame.message;
    } else if (request.startsWith("interest")) {
      $("interest-note").textContent = frame.message;
    } else if (request.startsWith("question")) {
      $("question-error").textContent = frame.message;
    } else {
      $("chat-error").textContent = frame.message;
    }
    if (frame.client_id && view.pending.has(frame.client_id)) {
      view.pending.get(frame.client_id).classList.add("failed");
      view.pending.delete(frame.client_id);
    }
  }

  function notice(text) {
    if (!view.me.moderator) return;
    const li = el("li", "text-muted fst-italic", text);
    $("chat-list").append(li);
  }

  /* --- room header, countdown ------------------------------------------------------- */

  function renderRoom() {
    const room = view.room;
    if (!room) return;
    $("room-title").textContent = pick(room, "title");
    const badge = $("room-status");
    badge.textContent = strings[room.status] || room.status;
    badge.className = "badge " + (room.status === "live" ? "text-bg-danger" : "text-bg-secondary");
    badge.dataset.status = room.status;
    const canPost = view.me.can_post && !view.me.muted && room.status !== "ended";
    $("chat-form").hidden = !canPost;
    $("question-form").hidden = !canPost;
    $("chat-signin").hidden = view.me.signed_in;
    const slow = $("chat-slow-mode");
    slow.hidden = !room.slow_mode_seconds;
    slow.textContent = fmt(strings.slow_mode_on, { seconds: room.slow_mode_seconds });
    document.querySelectorAll('[data-console="room.go_live"]').forEach((b) => (b.disabled = room.status !== "scheduled"));
    document.querySelectorAll('[data-console="room.end"]').forEach((b) => (b.disabled = room.status === "ended"));
    tickCountdown();
    renderPresenting();
  }

  function tickCountdown() {
    const room = view.room;
    const out = $("room-countdown");
    if (!room || room.status !== "scheduled" || !room.scheduled_start) {
      out.textContent = "";
      return;
    }
    const left = Math.round((Date.parse(room.scheduled_start) - serverNow()) / 1000);
    if (left <= 0) {
      out.textContent = strings.starting_soon;
      return;
    }
    out.textContent = fmt(strings.starts_in, { time: clock(left) });
  }
  setInterval(() => {
    tickCountdown();
    tickPitchTimer();
  }, 1000);

  function clock(totalSeconds) {
    const h = Math.floor(totalSeconds / 3600);
    const m = Math.floor((totalSeconds % 3600) / 60);
    const s = totalSeconds % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return (h ? h + ":" : "") + pad(m) + ":" + pad(s);
  }

  /* --- agenda, now presenting, interest ------------------------------------------------ */

  function slotsInOrder() {
    return [...view.agenda.values()].sort((a, b) => a.position - b.position || a.id - b.id);
  }
  function presentingSlot() {
    return slotsInOrder().find((slot) => slot.state === "presenting") || null;
  }
  function upsertSlot(slot) {
    view.agenda.set(slot.id, slot);
    renderAgenda();
  }
  function plannedTime(iso) {
    return new Date(iso).toLocaleTimeString(document.documentElement.lang || undefined, {
      hour: "2-digit",
      minute: "2-digit",
    });
  }
  function interestCount(entryId) {
    const item = view.interest.get(entryId);
    return item ? item.total : null;
  }

  function renderAgenda() {
    const slots = slotsInOrder();
    const list = $("agenda-list");
    const items = slots.map((slot, index) => {
      const li = el("li", "list-group-item d-flex flex-wrap align-items-center gap-2");
      li.dataset.slot = slot.id;
      li.dataset.state = slot.state;
      if (slot.state === "presenting") li.classList.add("active");
      if (slot.state === "done") li.classList.add("text-muted");
      li.append(el("span", "badge rounded-pill text-bg-light", String(index + 1)));
      const body = el("div", "me-auto");
      body.append(el("div", "fw-semibold", pick(slot.entry, "title")));
      const meta = [pick(slot.entry, "track"), fmt(strings.minutes, { count: slot.duration_minutes })];
      if (slot.planned_start) meta.unshift(plannedTime(slot.planned_start));
      body.append(el("div", "small", meta.filter(Boolean).join(" · ")));
      const side = el("div", "d-flex flex-wrap align-items-center gap-1");
      side.append(el("span", "badge " + (slot.state === "presenting" ? "text-bg-danger" : "text-bg-secondary"), strings["pitch_" + slot.state]));
      const count = interestCount(slot.entry.id);
      if (count) side.append(el("span", "badge text-bg-success", fmt(strings.interested_count, { count: count })));
      if (config.can_run && config.console && view.room && view.room.status !== "ended") {
        side.append(moveButton(slots, index, -1, "▲", strings.move_up), moveButton(slots, index, 1, "▼", strings.move_down));
        if (slot.state === "pending") {
          const start = el("button", "btn btn-outline-primary btn-sm", strings.start_this);
          start.type = "button";
          start.addEventListener("click", () => sendFrame({ type: "pitch.next", slot_id: slot.id }));
          side.append(start);
        }
      }
      li.append(body, side);
      return li;
    });
    if (!items.length) items.push(el("li", "list-group-item text-muted", strings.no_agenda));
    list.replaceChildren(...items);
    renderPresenting();
  }

  function moveButton(slots, index, step, label, title) {
    const button = el("button", "btn btn-outline-secondary btn-sm", label);
    button.type = "button";
    button.title = title;
    button.setAttribute("aria-label", title);
    const target = index + step;
    button.disabled = target < 0 || target >= slots.length;
    button.addEventListener("click", () => {
      const ids = slots.map((slot) => slot.id);
      [ids[index], ids[target]] = [ids[target], ids[index]];
      sendFrame({ type: "agenda.reorder", slot_ids: ids });
    });
    return button;
  }

  function renderPresenting() {
    const slot = presentingSlot();
    const card = $("now-presenting");
    card.dataset.slot = slot ? slot.id : "";
    $("presenting-title").textContent = slot ? pick(slot.entry, "title") : strings.nobody_presenting;
    $("presenting-track").textContent = slot ? pick(slot.entry, "track") : "";
    const button = $("interest-button");
    const own = slot && view.me.own_entries && view.me.own_entries.includes(slot.entry.id);
    const live = view.room && view.room.status !== "ended";
    button.hidden = !(slot && live && view.me.can_mark_interest && !own);
    if (slot) {
      const marked = view.interested.has(slot.entry.id);
      button.disabled = marked;
      button.textContent = marked ? strings.interest_marked : strings.interest_button;
    }
    const ownCount = own ? interestCount(slot.entry.id) : null;
    $("interest-own").textContent = ownCount !== null ? fmt(strings.interest_yours, { count: ownCount }) : "";
    document.querySelectorAll('[data-console="pitch.next"]').forEach((b) => {
      b.disabled = !view.room || view.room.status !== "live" || !slotsInOrder().some((s) => s.state === "pending");
    });
    document.querySelectorAll('[data-console="pitch.extend"], [data-console="pitch.end"]').forEach((b) => (b.disabled = !slot));
    renderScoreCard(slot);
    renderScoreConsole();
    tickPitchTimer();
  }

  /* --- live judging ------------------------------------------------------------------------------ */

  function renderScoreCard(slot) {
    const card = $("score-card");
    const scoring = view.scoring;
    const show = Boolean(slot && scoring && scoring.can_score && view.room && view.room.status === "live");
    card.hidden = !show;
    if (!show) return;
    if (card.dataset.slot !== String(slot.id)) {
      // A new pitch on stage: fresh fields (kept while the same pitch is on stage, so typing is not lost).
      card.dataset.slot = String(slot.id);
      $("score-entry").textContent = pick(slot.entry, "title");
      $("score-scale").textContent = fmt(strings.score_scale, { min: scoring.scale_min, max: scoring.scale_max });
      const fields = scoring.criteria.map((criterion) => {
        const col = el("div", "col-sm-6");
        const id = "score-" + criterion.id;
        const label = el("label", "form-label small", pick(criterion, "name") + " (" + criterion.weight + " %)");
        label.htmlFor = id;
        const input = el("input", "form-control");
        Object.assign(input, { id: id, type: "number", min: scoring.scale_min, max: scoring.scale_max, step: "any", required: true });
        input.dataset.criterion = criterion.id;
        col.append(label, input);
        return col;
      });
      $("score-fields").replaceChildren(...fields);
      $("score-note").textContent = view.scored.has(slot.entry.id) ? strings.score_already : "";
    }
  }

  $("score-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const slot = presentingSlot();
    if (!slot) return;
    const scores = {};
    $("score-fields").querySelectorAll("input[data-criterion]").forEach((input) => {
      scores[input.dataset.criterion] = input.value.trim();
    });
    $("score-note").textContent = strings.sending;
    sendFrame({ type: "score.submit", slot_id: slot.id, scores: scores, client_id: newClientId() });
  });

  function revealTarget() {
    // The pitch on stage, else the one that ended last.
    const started = slotsInOrder().filter((s) => s.state !== "pending" && s.started_at);
    return presentingSlot() || started.sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at))[0] || null;
  }

  function renderScoreConsole() {
    const button = $("score-reveal");
    if (!button) return;
    const slot = revealTarget();
    button.disabled = !slot;
    button.dataset.slot = slot ? slot.id : "";
    $("score-target").textContent = slot ? fmt(strings.score_target, { title: pick(slot.entry, "title") }) : "";
    const count = slot ? view.progress.get(slot.id) : undefined;
    $("score-progress").textContent = count !== undefined ? fmt(strings.score_progress, { count: count }) : "";
  }

  const revealButton = $("score-reveal");
  if (revealButton) {
    revealButton.addEventListener("click", () => {
      if (!revealButton.dataset.slot) return;
      $("console-error").textContent = "";
      sendFrame({ type: "score.reveal", slot_id: parseInt(revealButton.dataset.slot, 10) });
    });
  }

  function renderRevealed() {
    const frames = [...view.revealed.values()].sort((a, b) => b.seq - a.seq);
    $("revealed-scores").hidden = frames.length === 0;
    $("revealed-list").replaceChildren(
      ...frames.map((f) =>
        el(
          "li",
          "mb-1",
          fmt(strings.score_revealed, {
            title: pick(f.entry, "title"),
            value: f.value,
            scale: f.scale_max,
            method: strings["method_" + f.method] || f.method,
            count: f.card_count,
          })
        )
      )
    );
  }

  function tickPitchTimer() {
    const slot = presentingSlot();
    const out = $("pitch-countdown");
    if (!slot || !slot.ends_at) {
      out.textContent = "";
      out.classList.remove("text-danger");
      return;
    }
    const left = Math.round((Date.parse(slot.ends_at) - serverNow()) / 1000);
    out.textContent = left >= 0 ? fmt(strings.time_left, { time: clock(left) }) : fmt(strings.overtime, { time: clock(-left) });
    out.classList.toggle("text-danger", left < 60);
  }

  $("interest-button").addEventListener("click", () => {
    const slot = presentingSlot();
    if (!slot) return;
    $("interest-note").textContent = "";
    sendFrame({ type: "interest.mark", slot_id: slot.id });
  });

  function renderInterestList() {
    const box = $("interest-list");
    if (!box) return;
    const titles = new Map(slotsInOrder().map((slot) => [slot.entry.id, pick(slot.entry, "title")]));
    const entries = [...view.interest.values()].filter((item) => item.people && item.total > 0);
    if (!entries.length) {
      box.replaceChildren(el("p", "text-muted small mb-0", strings.no_interest));
      return;
    }
    box.replaceChildren(
      ...entries.map((item) => {
        const section = el("div", "mb-2");
        section.dataset.entry = item.entry_id;
        section.append(el("div", "fw-semibold", (titles.get(item.entry_id) || "#" + item.entry_id) + " · " + fmt(strings.interested_count, { count: item.total })));
        const people = el("ul", "small mb-0");
        item.people.forEach((person) => {
          const organisation = pick(person, "organisation");
          people.append(el("li", null, userName(person) + (organisation ? " · " + organisation : "")));
        });
        if (item.total > item.people.length) people.append(el("li", "text-muted", fmt(strings.and_more, { count: item.total - item.people.length })));
        section.append(people);
        return section;
      })
    );
  }

  /* --- chat ------------------------------------------------------------------------------ */

  function messageItem(frame) {
    const li = el("li", "mb-1");
    const who = el("strong", "me-1", userName(frame.user));
    li.append(who);
    if (frame.user.moderator) li.append(el("span", "badge text-bg-primary me-1", strings.moderator));
    li.append(el("span", null, frame.text));
    if (view.me.moderator && typeof frame.seq === "number") {
      const hide = el("button", "btn btn-link btn-sm p-0 ms-2", strings.hide);
      hide.type = "button";
      hide.addEventListener("click", () => sendFrame({ type: "chat.hide", message_seq: frame.seq }));
      li.append(hide);
      const toQuestion = el("button", "btn btn-link btn-sm p-0 ms-2", strings.to_question);
      toQuestion.type = "button";
      toQuestion.title = strings.to_question_title;
      toQuestion.addEventListener("click", () => sendFrame({ type: "chat.to_question", message_seq: frame.seq }));
      li.append(toQuestion);
      if (!frame.user.moderator) {
        const mute = el("button", "btn btn-link btn-sm p-0 ms-2", strings.mute);
        mute.type = "button";
        mute.addEventListener("click", () => sendFrame({ type: "user.mute", user_id: frame.user.id, muted: true }));
        li.append(mute);
      }
    }
    return li;
  }

  function addMessage(frame) {
    if (view.chat.has(frame.seq)) {
      const pendingCopy = view.pending.get(frame.client_id);
      if (pendingCopy) pendingCopy.remove();
      view.pending.delete(frame.client_id);
      return;
    }
    const li = messageItem(frame);
    li.dataset.seq = frame.seq;
    const pending = view.pending.get(frame.client_id);
    if (pending && frame.user.id === view.me.id) {
      pending.replaceWith(li);
      view.pending.delete(frame.client_id);
    } else {
      $("chat-list").append(li);
    }
    view.chat.set(frame.seq, li);
    renderEmptyChat();
    const list = $("chat-list");
    list.scrollTop = list.scrollHeight;
  }

  function removeMessage(seq) {
    const li = view.chat.get(seq);
    if (li) li.remove();
    view.chat.delete(seq);
    renderEmptyChat();
  }

  function renderEmptyChat() {
    const list = $("chat-list");
    const empty = list.querySelector(".chat-empty");
    if (view.chat.size === 0 && view.pending.size === 0 && !empty) {
      list.append(el("li", "chat-empty text-muted", strings.no_chat));
    } else if ((view.chat.size || view.pending.size) && empty) {
      empty.remove();
    }
  }

  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("chat-input");
    const text = input.value.trim();
    if (!text) return;
    const clientId = newClientId();
    const li = el("li", "mb-1 pending");
    li.append(el("span", null, text), el("span", "text-muted ms-1", strings.sending));
    view.pending.set(clientId, li);
    $("chat-list").append(li);
    renderEmptyChat();
    $("chat-error").textContent = "";
    if (sendFrame({ type: "chat.send", text: text, client_id: clientId })) input.value = "";
  });

  /* --- questions --------------------------------------------------------------------------- */

  function upsertQuestion(update) {
    const known = view.questions.get(update.id) || {};
    view.questions.set(update.id, Object.assign({}, known, update));
    renderQuestions();
  }

  function renderQuestions() {
    const sorted = [...view.questions.values()]
      .filter((q) => q.text !== undefined)
      .sort((a, b) => b.votes - a.votes || a.seq - b.seq);
    $("qa-count").textContent = String(sorted.length);
    const items = sorted.map((q) => {
      const li = el("li", "mb-2 d-flex gap-2 align-items-start");
      const up = el("button", "btn btn-outline-primary btn-sm", "▲ " + q.votes);
      up.type = "button";
      up.title = strings.upvote;
      up.setAttribute("aria-label", strings.upvote + " · " + fmt(strings.votes, { count: q.votes }));
      up.disabled = !view.me.can_post || (view.room && view.room.status === "ended");
      up.addEventListener("click", () => sendFrame({ type: "question.upvote", question_id: q.id }));
      const body = el("div");
      body.append(el("div", null, q.text));
      const meta = el("div", "text-muted", userName(q.user));
      if (q.answered) meta.append(el("span", "badge text-bg-success ms-1", strings.answered));
      body.append(meta);
      if (view.me.moderator) {
        if (!q.answered) {
          const done = el("button", "btn btn-link btn-sm p-0 me-2", strings.mark_answered);
          done.type = "button";
          done.addEventListener("click", () => sendFrame({ type: "question.answer", question_id: q.id }));
          body.append(done);
        }
        const hide = el("button", "btn btn-link btn-sm p-0", strings.hide);
        hide.type = "button";
        hide.addEventListener("click", () => sendFrame({ type: "question.hide", question_id: q.id }));
        body.append(hide);
      }
      li.append(up, body);
      return li;
    });
    if (!items.length) items.push(el("li", "text-muted", strings.no_questions));
    $("question-list").replaceChildren(...items);
  }

  $("question-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("question-input");
    const text = input.value.trim();
    if (!text) return;
    $("question-error").textContent = "";
    if (sendFrame({ type: "question.ask", text: text, client_id: newClientId() })) input.value = "";
  });

  /* --- polls ----------------------------------------------------------------------------------- */

  function upsertPoll(poll) {
    view.polls.set(poll.id, poll);
    renderPolls();
  }

  function renderPolls() {
    const openFirst = (poll) => (poll.status === "open" ? 0 : 1);
    const polls = [...view.polls.values()].sort((a, b) => openFirst(a) - openFirst(b) || b.id - a.id);
    if (!polls.length) return;
    const cards = polls.map((poll) => {
      const card = el("div", "card mb-2");
      const body = el("div", "card-body py-2");
      const title = el("h3", "h6 mb-2", pick(poll, "question"));
      if (poll.status === "closed") title.append(el("span", "badge text-bg-secondary ms-2", strings.poll_closed));
      body.append(title);
      const canVote = poll.status === "open" && view.me.can_post && !view.myVotes.has(poll.id);
      poll.options.forEach((option) => {
        const row = el("div", "mb-2");
        const line = el("div", "d-flex justify-content-between small");
        line.append(el("span", null, pick(option, "label")), el("span", "text-muted", String(option.votes)));
        row.append(line);
        const bar = el("div", "poll-bar");
        bar.style.width = (poll.total ? Math.round((100 * option.votes) / poll.total) : 0) + "%";
        row.append(bar);
        if (canVote) {
          const vote = el("button", "btn btn-outline-primary btn-sm mt-1", strings.vote);
          vote.type = "button";
          vote.addEventListener("click", () => sendFrame({ type: "poll.vote", poll_id: poll.id, option_id: option.id }));
          row.append(vote);
        }
        body.append(row);
      });
      const foot = el("div", "small text-muted", fmt(strings.total_votes, { count: poll.total }));
      if (view.myVotes.has(poll.id)) foot.append(el("span", "ms-2", strings.you_voted));
      body.append(foot);
      if (view.me.moderator && poll.status === "open") {
        const close = el("button", "btn btn-outline-danger btn-sm mt-2", strings.close_poll);
        close.type = "button";
        close.addEventListener("click", () => sendFrame({ type: "poll.close", poll_id: poll.id }));
        body.append(close);
      }
      card.append(body);
      return card;
    });
    $("room-polls").replaceChildren(...cards);
  }

  /* --- reactions -------------------------------------------------------------------------------- */

  function renderReactions(kinds) {
    const box = $("room-reactions");
    box.replaceChildren(
      ...kinds.map((kind) => {
        const button = el("button", "btn btn-outline-secondary reaction-btn");
        button.type = "button";
        button.dataset.kind = kind;
        button.title = strings["reaction_" + kind] || kind;
        button.setAttribute("aria-label", button.title);
        button.append(el("span", "me-1", EMOJI[kind] || "★"), el("span", "count", String(view.reactionTotals[kind] || 0)));
        button.disabled = !view.me.can_post;
        button.addEventListener("click", () => sendFrame({ type: "reaction.send", kind: kind }));
        return button;
      })
    );
  }

  function onReactions(frame) {
    Object.entries(frame.counts).forEach(([kind, count]) => {
      view.reactionTotals[kind] = (view.reactionTotals[kind] || 0) + count;
      const button = document.querySelector('#room-reactions [data-kind="' + CSS.escape(kind) + '"]');
      if (!button) return;
      button.querySelector(".count").textContent = String(view.reactionTotals[kind]);
      button.classList.remove("reaction-burst");
      void button.offsetWidth; // restart the animation
      button.classList.add("reaction-burst");
    });
  }

  /* --- organiser console ------------------------------------------------------------------------- */

  document.querySelectorAll("[data-console]").forEach((button) => {
    button.addEventListener("click", () => {
      if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
      $("console-error").textContent = "";
      const frame = { type: button.dataset.console };
      if (button.dataset.seconds) frame.seconds = parseInt(button.dataset.seconds, 10);
      sendFrame(frame);
    });
  });
  const slowForm = $("slow-mode-form");
  if (slowForm) {
    slowForm.addEventListener("submit", (event) => {
      event.preventDefault();
      sendFrame({ type: "room.slow_mode", seconds: parseInt($("slow-mode-seconds").value || "0", 10) });
    });
  }
  const pollForm = $("poll-form");
  if (pollForm) {
    pollForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const options = [];
      pollForm.querySelectorAll(".poll-option-row").forEach((row) => {
        const zhLabel = row.querySelector('[data-option="zh"]').value.trim();
        const enLabel = row.querySelector('[data-option="en"]').value.trim();
        if (zhLabel || enLabel) options.push({ label_zh: zhLabel, label_en: enLabel });
      });
      $("console-error").textContent = "";
      sendFrame({
        type: "poll.open",
        question_zh: $("poll-question-zh").value.trim(),
        question_en: $("poll-question-en").value.trim(),
        options: options,
      });
    });
  }

  /* --- video ---------------------------------------------------------------------------------------- */

  function startHls(video, source) {
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = source;
      return;
    }
    const attach = () => {
      if (!window.Hls || !window.Hls.isSupported()) return;
      const player = new window.Hls();
      player.loadSource(source);
      player.attachMedia(video);
    };
    if (window.Hls) {
      attach();
    } else {
      // hls.js is vendored on this site; it is fetched only for rooms that stream HLS.
      const script = document.createElement("script");
      script.src = config.hls_script;
      script.addEventListener("load", attach);
      document.head.append(script);
    }
  }

  // Rebuilds the player when the organisers change the video source, or the room ends.
  function renderVideo() {
    const video = view.room.video;
    let node;
    if (video.embed_url && /^https:\/\//.test(video.embed_url)) {
      node = document.createElement("iframe");
      node.src = video.embed_url;
      node.title = strings.live_video;
      node.allowFullscreen = true;
      node.referrerPolicy = "no-referrer";
      node.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation");
    } else if (video.hls_url && view.room.status !== "ended") {
      node = document.createElement("video");
      Object.assign(node, { controls: true, playsInline: true, muted: true });
      node.setAttribute("aria-label", strings.live_video);
      startHls(node, video.hls_url);
    } else if (video.recording_url) {
      node = document.createElement("video");
      Object.assign(node, { controls: true, playsInline: true, src: video.recording_url });
      node.setAttribute("aria-label", strings.recording);
    } else {
      node = el("div", "h-100 d-flex align-items-center justify-content-center text-white-50 p-4 text-center", strings.video_soon);
    }
    $("room-video").replaceChildren(node);
  }

  const hlsVideo = $("room-hls");
  if (hlsVideo) startHls(hlsVideo, hlsVideo.dataset.src);

  connect();
})();
