/* The mesh catalog's behaviour: search, filters, collapsible domains, views of the map and a
   details panel driven by the URL hash (#domain/<name>, #model/<domain>.<model>).
   Plain DOM, no library, no network. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("mesh-data").textContent);
  var domains = data.domains;
  var domainByName = {};
  var modelByKey = {};
  var internalByKey = {};
  domains.forEach(function (d) { domainByName[d.name] = d; });
  data.models.forEach(function (m) { modelByKey[m.key] = m; });
  data.internal_consumers.forEach(function (n) { internalByKey[n.key] = n; });
  var largeMesh = !document.getElementById("svg-all");
  // Graphviz writes sizes in points; the page lays out CSS pixels.
  var PX_PER_PT = 96 / 72;
  var MAX_FIT_SCALE = 1.2;
  // A large mesh opens on its domains ranked (worst health, most read first), not on a corner
  // of a drawing too big to read; a small one on every model, fitted into the window.
  var state = { view: largeMesh ? "ranked" : "all", focus: null, zoom: 0, selected: null };

  function h(tag, attrs) {
    var el = document.createElement(tag);
    var a = attrs || {};
    Object.keys(a).forEach(function (k) {
      if (a[k] === null || a[k] === undefined || a[k] === false) { return; }
      if (k === "text") { el.textContent = a[k]; }
      else if (k === "cls") { el.className = a[k]; }
      else { el.setAttribute(k, a[k]); }
    });
    for (var i = 2; i < arguments.length; i++) { append(el, arguments[i]); }
    return el;
  }
  function append(el, child) {
    if (child === null || child === undefined || child === false) { return; }
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
  function ownerName(o) { return (o && (o.name || o.email)) || "no owner"; }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  /* "2 h ago" for people; the exact stamp goes in the element's title (shown on hover). */
  function ago(iso, now) {
    var then = Date.parse(iso || "");
    if (isNaN(then)) { return iso || "?"; }
    var s = Math.round(((now || Date.now()) - then) / 1000);
    var future = s < 0;
    s = Math.abs(s);
    var text = s < 60 ? "just now" : s < 3600 ? Math.round(s / 60) + " min" :
      s < 86400 ? Math.round(s / 3600) + " h" : s < 86400 * 60 ? plural(Math.round(s / 86400), "day") :
      s < 86400 * 730 ? plural(Math.round(s / (86400 * 30.4)), "month") : plural(Math.round(s / (86400 * 365)), "year");
    return text === "just now" ? text : future ? "in " + text : text + " ago";
  }
  function when(iso) {
    return h("time", { datetime: iso || "", title: iso ? new Date(iso).toString() + " (" + iso + ")" : "", text: ago(iso) });
  }
  function modelLink(key) { return h("a", { href: "#model/" + key, text: key }); }
  function domainLink(name) { return h("a", { href: "#domain/" + name, text: name }); }
  function linkFor(domain, model) {
    var key = domain + "." + model;
    return modelByKey[key] ? modelLink(key) : h("span", {}, domainLink(domain), "." + model);
  }

  /* ---------- header ---------- */
  function renderHeader() {
    var versions = data.models.reduce(function (n, m) { return n + m.versions.length; }, 0);
    document.getElementById("summary").textContent =
      plural(domains.length, "domain") + " · " + plural(data.models.length, "public model") + " (" +
      plural(versions, "version") + ") · " + plural(data.edges.length, "cross-domain read");
    var box = document.getElementById("sources");
    var names = { check: "contract check", validation: "expectations", build: "last build" };
    Object.keys(names).forEach(function (k) {
      var s = data.sources[k];
      var missing = s.status === "not run yet";
      var chip = h("span", { cls: "chip" + (missing ? " missing" : ""), title: s.file },
        names[k] + ": " + (missing ? "not run yet" : (s.status === "ok" ? "" : s.status + " ")),
        missing ? null : when(s.generated_at));
      box.appendChild(chip);
    });
  }

  /* ---------- search and filters ---------- */
  var searchIndex = {};
  domains.forEach(function (d) {
    var words = [d.name, d.description, ownerName(d.owner), d.owner.email || ""];
    d.models.forEach(function (key) {
      var m = modelByKey[key];
      words.push(m.name, m.description);
      m.versions.forEach(function (v) { v.columns.forEach(function (c) { words.push(c.name); }); });
    });
    searchIndex[d.name] = words.join(" ").toLowerCase();
  });
  function modelMatches(m, q) {
    if (!q) { return true; }
    if ((m.name + " " + m.description).toLowerCase().indexOf(q) >= 0) { return true; }
    return m.versions.some(function (v) {
      return v.columns.some(function (c) { return c.name.toLowerCase().indexOf(q) >= 0; });
    });
  }
  function currentFilter() {
    return {
      q: document.getElementById("search").value.trim().toLowerCase(),
      owner: document.getElementById("filter-owner").value,
      health: document.getElementById("filter-health").value
    };
  }
  function domainVisible(d, f) {
    if (f.owner && ownerName(d.owner) !== f.owner) { return false; }
    if (f.health && d.health.level !== f.health) { return false; }
    return !f.q || searchIndex[d.name].indexOf(f.q) >= 0;
  }

  /* ---------- domain list ---------- */
  var listItems = {};
  function renderList() {
    var list = document.getElementById("domain-list");
    domains.forEach(function (d) {
      var models = h("ul", { cls: "model-list", hidden: "hidden" });
      d.models.forEach(function (key) {
        var m = modelByKey[key];
        models.appendChild(h("li", { "data-model": key },
          h("a", { href: "#model/" + key, text: m.name }),
          h("span", { cls: "versions", text: m.versions.map(function (v) { return v.label; }).join(" ") +
            (m.consumer_count ? " · " + plural(m.consumer_count, "read") : "") })));
      });
      if (!d.models.length) { models.appendChild(h("li", { cls: "empty", text: "no public models" })); }
      var toggle = h("button", { type: "button", cls: "toggle", "aria-label": "expand " + d.name, text: "▸" });
      toggle.addEventListener("click", function () { setExpanded(d.name, models.hidden); });
      var item = h("li", { "data-domain": d.name },
        h("div", { cls: "domain-row" }, toggle,
          h("span", { cls: "dot health-" + d.health.level, title: d.health.level }),
          h("a", { cls: "name", href: "#domain/" + d.name, text: d.name }),
          h("span", { cls: "owner", text: ownerName(d.owner) })),
        models);
      listItems[d.name] = { item: item, models: models, toggle: toggle };
      list.appendChild(item);
    });
    var owners = {};
    domains.forEach(function (d) { owners[ownerName(d.owner)] = true; });
    var ownerSelect = document.getElementById("filter-owner");
    Object.keys(owners).sort().forEach(function (o) { ownerSelect.appendChild(h("option", { value: o, text: o })); });
    var healthSelect = document.getElementById("filter-health");
    Object.keys(data.styles.health).forEach(function (level) {
      var n = domains.filter(function (d) { return d.health.level === level; }).length;
      if (n) { healthSelect.appendChild(h("option", { value: level, text: level + " (" + n + ")" })); }
    });
  }
  function setExpanded(name, open) {
    var entry = listItems[name];
    if (!entry) { return; }
    entry.models.hidden = !open;
    entry.toggle.textContent = open ? "▾" : "▸";
  }
  function applyFilter() {
    var f = currentFilter();
    var shown = 0;
    var visible = {};
    domains.forEach(function (d) {
      var ok = domainVisible(d, f);
      var entry = listItems[d.name];
      entry.item.hidden = !ok;
      if (ok) { shown++; visible[d.name] = true; }
      var anyModel = false;
      Array.prototype.forEach.call(entry.models.children, function (li) {
        var key = li.getAttribute("data-model");
        if (!key) { return; }
        var match = modelMatches(modelByKey[key], f.q);
        li.hidden = !!f.q && !match && d.name.toLowerCase().indexOf(f.q) < 0;
        anyModel = anyModel || (f.q && match);
      });
      if (f.q && ok) { setExpanded(d.name, anyModel); }
    });
    var filtering = f.q || f.owner || f.health;
    document.getElementById("match-count").textContent = filtering ?
      shown + " of " + plural(domains.length, "domain") : plural(domains.length, "domain");
    dimMap(filtering ? visible : null, f.q);
  }

  /* ---------- map ---------- */
  function svgLinks(root) {
    return Array.prototype.slice.call(root.querySelectorAll("a")).map(function (a) {
      return { a: a, href: a.getAttribute("xlink:href") || a.getAttribute("href") || "" };
    });
  }
  function dimMap(visibleDomains, q) {
    var map = document.getElementById("map");
    svgLinks(map).forEach(function (link) {
      var g = link.a.closest("g.node") || link.a.closest("g.cluster");
      if (!g) { return; }
      var dim = false;
      if (visibleDomains) {
        var target = link.href.replace(/^#(domain|model)\//, "");
        var domain = link.href.indexOf("#model/") === 0 ? modelByKey[target] && modelByKey[target].domain : target;
        dim = !visibleDomains[domain];
        if (!dim && q && link.href.indexOf("#model/") === 0 && g.classList.contains("node")) {
          dim = !modelMatches(modelByKey[target], q) && domain.toLowerCase().indexOf(q) < 0;
        }
      }
      g.classList.toggle("dim", dim);
    });
  }
  function showView(view, focus) {
    state.view = view;
    if (focus !== undefined) { state.focus = focus; }
    var id = view === "focus" ? "svg-focus-" + domainByName[state.focus].id : "svg-" + view;
    var template = document.getElementById(id);
    var map = document.getElementById("map");
    map.textContent = "";
    var note = document.getElementById("map-note");
    if (view === "ranked") {
      map.appendChild(rankedList());
    } else if (template) {
      map.appendChild(document.importNode(template.content, true));
    } else {
      map.appendChild(fallbackMap());
    }
    note.textContent = data.map_note || "";
    ["ranked", "overview", "all", "focus"].forEach(function (v) {
      var tab = document.getElementById("tab-" + v);
      tab.classList.toggle("active", v === view);
    });
    var focusTab = document.getElementById("tab-focus");
    if (state.focus) { focusTab.hidden = false; focusTab.textContent = "Domain: " + state.focus; }
    applyZoom();
    applyFilter();
    markSelected();
  }
  /* Worst health first, then the most read: where a reader of a large mesh should start. */
  function rankedDomains() {
    var order = Object.keys(data.styles.health);
    return domains.slice().sort(function (a, b) {
      return order.indexOf(a.health.level) - order.indexOf(b.health.level) ||
        b.downstreams.length - a.downstreams.length || (a.name < b.name ? -1 : 1);
    });
  }
  function rankedList() {
    var rows = rankedDomains().map(function (d, i) {
      return h("tr", { "data-domain": d.name },
        h("td", { text: String(i + 1) }),
        h("td", {}, h("span", { cls: "dot health-" + d.health.level }), " ", domainLink(d.name)),
        h("td", { text: d.health.level }),
        h("td", { text: plural(d.downstreams.length, "domain") }),
        h("td", { text: plural(d.models.length, "model") }),
        h("td", { text: ownerName(d.owner) }),
        h("td", { cls: "why", title: d.health.reasons.join("\n"), text: d.health.reasons[0] || "" }));
    });
    return h("div", { cls: "ranked" },
      h("p", { cls: "meta", text: "Domains ranked by health (worst first), then by how many domains read them. " +
        "Click one to draw its neighbourhood: its models, what they read and who reads them." }),
      h("table", {}, h("thead", {}, h("tr", {}, ["#", "domain", "health", "read by", "public", "owner", "why"].map(function (t) {
        return h("th", { text: t });
      }))), h("tbody", {}, rows)));
  }
  function fallbackMap() {
    var box = h("div", { cls: "fallback" },
      h("p", { cls: "empty", text: "Graphviz was not installed when this page was written, so the map is shown as a list of reads." }));
    var ul = h("ul", { cls: "plain" });
    data.domain_edges.forEach(function (e) {
      ul.appendChild(h("li", {}, domainLink(e.producer), " → ", domainLink(e.consumer), ": " + e.full_label));
    });
    box.appendChild(ul);
    return box;
  }
  /* The scale at which the whole drawing fits the map's box, width AND height: "fit" shows
     everything (zoom in for detail); it is also how a drawing opens. */
  function fitScale(svg) {
    var vb = svg.viewBox && svg.viewBox.baseVal;
    if (!vb || !vb.width || !vb.height) { return 1; }
    var map = document.getElementById("map");
    var width = map.clientWidth - 4, height = map.clientHeight - 4;
    return Math.min(MAX_FIT_SCALE, width / (vb.width * PX_PER_PT), height / (vb.height * PX_PER_PT));
  }
  function applyZoom() {
    var svg = document.querySelector("#map svg");
    if (!svg) { return; }
    var vb = svg.viewBox && svg.viewBox.baseVal;
    var natural = vb && vb.width ? vb.width * PX_PER_PT : svg.getBoundingClientRect().width;
    var scale = state.zoom ? state.zoom : fitScale(svg);
    svg.style.width = Math.round(natural * scale) + "px";
    svg.removeAttribute("height");
    svg.removeAttribute("width");
  }
  function zoomBy(factor) {
    var svg = document.querySelector("#map svg");
    if (!svg) { return; }
    var vb = svg.viewBox.baseVal;
    var current = svg.getBoundingClientRect().width / (vb.width * PX_PER_PT);
    state.zoom = Math.max(0.05, Math.min(4, current * factor));
    applyZoom();
  }
  function markSelected() {
    var want = state.selected;
    svgLinks(document.getElementById("map")).forEach(function (link) {
      var g = link.a.closest("g.node") || link.a.closest("g.cluster");
      if (g) { g.classList.toggle("selected", !!want && link.href === want); }
    });
    var chosen = null;
    svgLinks(document.getElementById("map")).forEach(function (link) {
      if (!chosen && want && link.href === want) { chosen = link.a.closest("g.node") || link.a.closest("g.cluster"); }
    });
    if (chosen && chosen.scrollIntoView) { chosen.scrollIntoView({ block: "nearest", inline: "nearest" }); }
    Array.prototype.forEach.call(document.querySelectorAll(".ranked tr.selected"), function (tr) { tr.classList.remove("selected"); });
    Array.prototype.forEach.call(document.querySelectorAll(".domain-list li.selected"), function (li) { li.classList.remove("selected"); });
    if (want) {
      var name = want.replace(/^#(domain|model)\//, "");
      var sel = want.indexOf("#model/") === 0 ? '[data-model="' + cssEscape(name) + '"]' : '[data-domain="' + cssEscape(name) + '"]';
      var li = document.querySelector(".domain-list " + sel);
      if (li) { li.classList.add("selected"); }
    }
  }
  function cssEscape(s) { return s.replace(/["\\]/g, "\\$&"); }

  /* ---------- details panel ---------- */
  function badge(text, kind) { return h("span", { cls: "badge " + (kind || ""), text: text }); }
  function findingList(findings) {
    if (!findings.length) { return null; }
    return h("ul", { cls: "plain" }, findings.map(function (f) {
      return h("li", { cls: "finding " + f.severity },
        h("strong", { text: f.severity + " " + f.rule + ": " }), f.message,
        f.file ? h("span", { cls: "meta", text: " (" + f.file + ")" }) : null,
        f.explanation ? h("div", { cls: "meta", text: f.explanation }) : null);
    }));
  }
  function gxBadge(gx) {
    if (gx.status === "passed") {
      return badge("expectations passed" + (gx.warnings ? ", " + plural(gx.warnings, "warning") : "") +
        (gx.evaluated ? " (" + plural(gx.evaluated, "check") + ")" : ""), gx.warnings ? "warn" : "ok");
    }
    if (gx.status === "failed") {
      return badge("expectations failed: " + gx.critical_failures + " critical, " + plural(gx.warnings, "warning"), "bad");
    }
    return badge("expectations: " + gx.status, "none");
  }
  function versionCard(m, v) {
    var consumers = v.consumers.length ? h("ul", { cls: "plain consumers" }, v.consumers.map(function (c) {
      return h("li", {}, linkFor(c.domain, c.model), c.label ? " " + c.label : "",
        h("span", { cls: "meta", text: (c.pinned ? " pinned" : " unpinned (follows latest)") + (c.file ? " · " + c.file : "") }));
    })) : h("p", { cls: "empty", text: "no consumer in the mesh" });
    function readersCell(name) {
      var readers = (v.readers_by_column || {})[name] || [];
      if (!readers.length) { return h("td", { cls: "meta", text: "no reader" }); }
      return h("td", {}, readers.map(function (r, i) {
        return h("span", { cls: "reader" }, i ? ", " : "", linkFor(r.domain, r.model),
          r.unknown ? h("span", { cls: "meta", text: " (all columns: SQL not resolved)" }) : null);
      }));
    }
    var columns = h("table", {},
      h("thead", {}, h("tr", {}, h("th", { text: "column" }), h("th", { text: "type" }), h("th", { text: "constraints" }), h("th", { text: "read by" }), h("th", { text: "description" }))),
      h("tbody", {}, v.columns.map(function (c) {
        return h("tr", {}, h("td", {}, h("code", { text: c.name })), h("td", { text: c.data_type || "?" }),
          h("td", { text: c.constraints.join(", ") }), readersCell(c.name), h("td", { text: c.description }));
      })));
    var tests = v.data_tests.length ? h("p", { cls: "meta", text: "dbt tests: " + v.data_tests.map(function (t) {
      return t.type + (t.column ? "(" + t.column + ")" : "");
    }).join(", ") }) : null;
    var breaking = v.breaking_changes.length ? h("ul", { cls: "plain" }, v.breaking_changes.map(function (b) {
      return h("li", { cls: "finding " + (b.breaking ? "error" : "warning"), text: (b.breaking ? "breaking: " : "change: ") + b.message });
    })) : null;
    return h("div", { cls: "version" + (v.deprecation_date ? " deprecated" : "") },
      h("h3", {}, v.heading),
      h("div", {},
        v.contract_enforced ? badge("contract enforced", "ok") : badge("no contract", "warn"),
        v.deprecation_note ? badge(v.deprecation_note, "bad") : null,
        gxBadge(v.gx), v.gx.validated_at ? h("span", { cls: "meta" }, " validated ", when(v.gx.validated_at)) : null),
      h("p", { cls: "meta" }, h("code", { text: v.relation_name || "" }), v.materialized ? " · " + v.materialized : ""),
      h("h4", { text: "Consumers of " + v.label + " (" + v.consumers.length + ")" }), consumers,
      h("h4", { text: "Columns (" + v.columns.length + ")" }), columns, tests,
      v.findings.length ? h("h4", { text: "Governance findings" }) : null, findingList(v.findings),
      breaking ? h("h4", { text: "Changes against the baseline" }) : null, breaking);
  }
  function showModel(key) {
    var m = modelByKey[key];
    var panel = document.getElementById("details");
    panel.textContent = "";
    if (!m) {
      var n = internalByKey[key];
      panel.appendChild(h("h2", { text: key }));
      panel.appendChild(h("p", { cls: "empty", text: n ? "Not a public model: a model of " + n.domain + " that reads other domains." : "No such model in this mesh." }));
      return;
    }
    var d = domainByName[m.domain];
    panel.appendChild(h("h2", { text: m.domain + "." + m.name }));
    panel.appendChild(h("p", { cls: "meta" }, "domain ", domainLink(m.domain), " · owner " + ownerName(m.owner) +
      (m.owner.email ? " <" + m.owner.email + ">" : "") + (m.group ? " · group " + m.group : "") +
      (m.latest_label ? " · latest " + m.latest_label : "")));
    if (m.description) { panel.appendChild(h("p", { text: m.description })); }
    if (d && d.health.reasons.length) {
      panel.appendChild(h("p", { cls: "meta", text: "domain health: " + d.health.level + " — " + d.health.reasons.join("; ") }));
    }
    if (m.findings.length) { panel.appendChild(h("h3", { text: "Governance findings" })); panel.appendChild(findingList(m.findings)); }
    if (m.reads && m.reads.length) {
      panel.appendChild(h("h3", { text: "Reads from other domains (" + m.reads.length + ")" }));
      panel.appendChild(h("ul", { cls: "plain reads" }, m.reads.map(function (r) {
        return h("li", {}, linkFor(r.domain, r.model), r.label ? " " + r.label : "", h("span", { cls: "meta",
          text: r.columns_read === null ? ": every column (SQL not resolved)" : ": " + (r.columns_read.join(", ") || "no column") }));
      })));
    }
    m.versions.slice().reverse().forEach(function (v) { panel.appendChild(versionCard(m, v)); });
  }
  function showDomain(name) {
    var d = domainByName[name];
    var panel = document.getElementById("details");
    panel.textContent = "";
    if (!d) { panel.appendChild(h("h2", { text: name })); panel.appendChild(h("p", { cls: "empty", text: "No such domain in this mesh." })); return; }
    panel.appendChild(h("h2", { text: d.name }));
    panel.appendChild(h("p", { cls: "meta", text: "owner " + ownerName(d.owner) + (d.owner.email ? " <" + d.owner.email + ">" : "") }));
    if (d.description) { panel.appendChild(h("p", { text: d.description })); }
    panel.appendChild(h("div", {}, badge(d.health.level, "health health-" + d.health.level),
      d.health.stale.length ? badge("stale: " + d.health.stale.join(", "), "warn") : null));
    var pub = d.health.published, attempt = d.health.last_attempt;
    panel.appendChild(h("ul", { cls: "plain status" },
      h("li", { cls: "published" }, pub ? ["published ", when(pub.published_at), pub.run_id ? " (run " + pub.run_id + ")" : ""] : "not published"),
      h("li", { cls: "attempt" }, attempt ? ["last build attempt: " + attempt.status + " ", when(attempt.at),
        attempt.reason ? ": " + attempt.reason : ""] : "no build attempt in the run reports")));
    if (d.health.reasons.length) { panel.appendChild(h("ul", { cls: "plain" }, d.health.reasons.map(function (r) { return h("li", { text: r }); }))); }
    panel.appendChild(h("h3", { text: "Public models (" + d.models.length + ")" }));
    panel.appendChild(d.models.length ? h("ul", { cls: "plain" }, d.models.map(function (key) {
      var m = modelByKey[key];
      return h("li", {}, modelLink(key), h("span", { cls: "meta", text: " " + m.versions_caption +
        " · " + plural(m.consumer_count, "read") }));
    })) : h("p", { cls: "empty", text: "no public models" }));
    panel.appendChild(h("h3", { text: "Reads from" }));
    panel.appendChild(d.upstreams.length ? h("p", {}, d.upstreams.map(function (u, i) { return [i ? ", " : "", domainLink(u)]; })) : h("p", { cls: "empty", text: "no upstream domain" }));
    panel.appendChild(h("h3", { text: "Read by" }));
    panel.appendChild(d.downstreams.length ? h("p", {}, d.downstreams.map(function (u, i) { return [i ? ", " : "", domainLink(u)]; })) : h("p", { cls: "empty", text: "no downstream domain" }));
    if (d.findings.length) { panel.appendChild(h("h3", { text: "Governance findings" })); panel.appendChild(findingList(d.findings)); }
    if (d.exposures.length) {
      panel.appendChild(h("h3", { text: "Exposures" }));
      panel.appendChild(h("ul", { cls: "plain" }, d.exposures.map(function (e) { return h("li", { text: e.name + (e.type ? " (" + e.type + ")" : "") }); })));
    }
  }
  function showSummary() {
    var panel = document.getElementById("details");
    panel.textContent = "";
    panel.appendChild(h("h2", { text: "The mesh" }));
    panel.appendChild(h("p", { text: "Click a domain or a model, in the map or the list, to see its owner, versions, columns, consumers, findings and expectation results." }));
    var counts = {};
    domains.forEach(function (d) { counts[d.health.level] = (counts[d.health.level] || 0) + 1; });
    panel.appendChild(h("p", {}, Object.keys(counts).map(function (k) { return badge(counts[k] + " " + k, "health health-" + k); })));
    var s = data.sources;
    panel.appendChild(h("h3", { text: "Inputs" }));
    panel.appendChild(h("ul", { cls: "plain" },
      h("li", {}, "mesh manifest: ", when(data.manifest_generated_at)),
      h("li", {}, "contract check: ", s.check.status === "not run yet" ? "not run yet" : [when(s.check.generated_at),
        s.check.summary ? " — " + plural(s.check.summary.error, "error") + ", " + plural(s.check.summary.warning, "warning") + ", " + s.check.summary.info + " info" : ""]),
      h("li", {}, "expectations (Great Expectations): ", s.validation.status === "not run yet" ? "not run yet" : when(s.validation.generated_at)),
      h("li", {}, "last build: ", s.build.status === "not run yet" ? "not run yet" : [s.build.status + ", ", when(s.build.generated_at)])));
    if (data.other_findings.length) { panel.appendChild(h("h3", { text: "Other findings" })); panel.appendChild(findingList(data.other_findings)); }
  }

  /* ---------- routing ---------- */
  function route() {
    var hash = decodeURIComponent(location.hash || "");
    var m = /^#(domain|model)\/(.+)$/.exec(hash);
    if (!m) { state.selected = null; showSummary(); markSelected(); return; }
    state.selected = "#" + m[1] + "/" + m[2];
    var domain = m[1] === "domain" ? m[2] : (modelByKey[m[2]] || internalByKey[m[2]] || { domain: null }).domain;
    if (m[1] === "domain") { showDomain(m[2]); } else { showModel(m[2]); }
    if (domain && domainByName[domain]) {
      setExpanded(domain, true);
      if (state.view !== "all" || !document.querySelector("#map svg a[*|href='" + state.selected + "']")) {
        showView("focus", domain);
        return;
      }
    }
    markSelected();
  }

  renderHeader();
  renderList();
  document.getElementById("search").addEventListener("input", applyFilter);
  document.getElementById("filter-owner").addEventListener("change", applyFilter);
  document.getElementById("filter-health").addEventListener("change", applyFilter);
  document.getElementById("expand-all").addEventListener("click", function () { domains.forEach(function (d) { setExpanded(d.name, true); }); });
  document.getElementById("collapse-all").addEventListener("click", function () { domains.forEach(function (d) { setExpanded(d.name, false); }); });
  document.getElementById("tab-ranked").addEventListener("click", function () { showView("ranked"); });
  document.getElementById("tab-overview").addEventListener("click", function () { showView("overview"); });
  document.getElementById("tab-all").addEventListener("click", function () { showView("all"); });
  document.getElementById("tab-focus").addEventListener("click", function () { if (state.focus) { showView("focus"); } });
  document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(0.8); });
  document.getElementById("zoom-fit").addEventListener("click", function () { state.zoom = 0; applyZoom(); });
  window.addEventListener("hashchange", route);
  window.addEventListener("resize", function () { if (!state.zoom) { applyZoom(); } });
  if (largeMesh) { document.getElementById("tab-all").hidden = true; }
  else { document.getElementById("tab-ranked").hidden = true; }
  window.meshMap = { ago: ago };
  showView(state.view);
  route();
})();
