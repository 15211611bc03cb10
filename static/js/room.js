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
    },
    "room.slow_mode": (f) => {
      view.room.slow_mode_seconds = f.seconds;
      renderRoom();
    },
    "user.muted": (f) =>
      notice(fmt(f.muted ? strings.user_muted : strings.user_unmuted, { name: userName(f.user) })),
    me: (f) => {
      view.me.muted = f.muted;
      $("chat-error").textContent = f.muted ? strings.muted_you : strings.unmuted_you;
      renderRoom();
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
    renderReactions(state.reaction_kinds);
    renderQuestions();
    renderPolls();
    renderRoom();
    renderEmptyChat();
  }

  function onError(frame) {
    const target = frame.for && frame.for.startsWith("question") ? $("question-error") : $("chat-error");
    if (frame.for && frame.for.startsWith("room") && $("console-error")) {
      $("console-error").textContent = frame.message;
    } else if (frame.for && frame.for.startsWith("poll.open") && $("console-error")) {
      $("console-error").textContent = frame.message;
    } else {
      target.textContent = frame.message;
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
    const h = Math.floor(left / 3600);
    const m = Math.floor((left % 3600) / 60);
    const s = left % 60;
    const pad = (n) => String(n).padStart(2, "0");
    out.textContent = fmt(strings.starts_in, { time: (h ? h + ":" : "") + pad(m) + ":" + pad(s) });
  }
  setInterval(tickCountdown, 1000);

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
      sendFrame({ type: button.dataset.console });
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

  const hlsVideo = $("room-hls");
  if (hlsVideo) {
    const source = hlsVideo.dataset.src;
    if (hlsVideo.canPlayType("application/vnd.apple.mpegurl")) {
      hlsVideo.src = source;
    } else if (window.Hls && window.Hls.isSupported()) {
      const player = new window.Hls();
      player.loadSource(source);
      player.attachMedia(hlsVideo);
    }
  }

  connect();
})();
