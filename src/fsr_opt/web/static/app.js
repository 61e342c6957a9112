/* fsr-opt serve: the planners' what-if page.
 *
 * The server computes everything (fsr_opt.web.page.state); this script lays it out, sends the
 * planner's changes, and searches, sorts and filters the units table in the browser. Amounts
 * arrive as integer cents and are written as fsr_opt.core.words.money writes them. Nothing
 * here contacts any address but the server that sent the page.
 */
"use strict";

(function () {
  const body = document.body;
  const WORDS = JSON.parse(body.dataset.words || "{}");
  const LANG = body.dataset.lang || "it";
  const MAX_UPLOAD_MB = Number(body.dataset.maxUpload || "20");
  const PAGE_SIZE = 100;
  const $ = (id) => document.getElementById(id);

  let current = null; // the last state the server sent
  let sequence = 0; // answers to older changes are ignored
  let sortKey = null;
  let sortDown = false;
  let page = 0;
  let shownValues = null; // the fields as the last state filled them (to see unapplied edits)
  // The comparison's choices the planner made (null: the default), and the saved scenarios
  // already listed (a new one becomes the default second scenario).
  const compareChoice = { "compare-first": null, "compare-second": null };
  let knownSaved = null;

  // ----------------------------------------------------------------------------------------
  // Words and formats (the same as fsr_opt.core.words)
  // ----------------------------------------------------------------------------------------

  function w(key, values) {
    let found = WORDS[key];
    if (found === undefined) return key;
    if (values) {
      for (const [name, value] of Object.entries(values)) {
        found = found.split("{" + name + "}").join(String(value));
      }
    }
    return found;
  }

  // A binding limit's name in the page's language (the code, as allocation.csv has it, if
  // it has none); "-" for no limit (a unit absent from one of two scenarios).
  function limit(code) {
    if (!code) return "-";
    return (current && current.binding_labels[code]) || code;
  }

  function money(cents) {
    if (cents === null || cents === undefined) return "";
    const sign = cents < 0 ? "-" : "";
    const absolute = Math.abs(cents);
    const whole = Math.floor(absolute / 100);
    const fraction = String(absolute % 100).padStart(2, "0");
    const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, LANG === "it" ? "." : ",");
    return sign + grouped + (LANG === "it" ? "," : ".") + fraction;
  }

  function signed(cents) {
    return (cents > 0 ? "+" : "") + money(cents);
  }

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "className") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function table(target, headings, rows, options) {
    const settings = options || {};
    const head = el("thead", {}, [el("tr", {}, headings.map((h, index) => el("th", {
      scope: "col", className: (settings.numeric || []).includes(index) ? "n" : null,
    }, [h])))]);
    // A row may be a group's heading ({ group: words, title: code }), across every column.
    const bodyRows = rows.map((cells, rowIndex) => (cells.group !== undefined
      ? el("tr", { className: "group" }, [el("th", {
        scope: "colgroup", colspan: String(headings.length), title: cells.title, text: cells.group,
      })])
      : el("tr", {
        className: (settings.totals || []).includes(rowIndex) ? "total" : null,
      }, cells.map((cell, index) => el("td", {
        className: (settings.numeric || []).includes(index) ? "n" : null,
      }, [cell])))));
    target.replaceChildren(head, el("tbody", {}, bodyRows));
  }

  function delta(after, before) {
    if (before === null || before === undefined) return "";
    const change = after - before;
    return el("span", { className: change > 0 ? "up" : change < 0 ? "down" : "same" },
      [change === 0 ? "=" : signed(change)]);
  }

  // ----------------------------------------------------------------------------------------
  // Talking to the server
  // ----------------------------------------------------------------------------------------

  let busyTimer = null;

  function busy(on) {
    clearTimeout(busyTimer);
    if (on) busyTimer = setTimeout(() => { $("busy").hidden = false; }, 150);
    else $("busy").hidden = true;
  }

  async function call(method, url, payload, raw) {
    const headers = { "x-fsr-opt": "1" };
    let data;
    if (raw !== undefined) {
      data = raw;
      headers["content-type"] = "application/octet-stream";
    } else if (payload !== undefined) {
      data = JSON.stringify(payload);
      headers["content-type"] = "application/json";
    }
    busy(true);
    try {
      const response = await fetch(url, { method, headers, body: data, credentials: "same-origin" });
      const answer = await response.json();
      if (!response.ok || answer.error) {
        showErrors(answer.error || { title: w("error_unknown"), problems: [] });
        return null;
      }
      return answer;
    } catch (problem) {
      showErrors({ title: w("error_network"), problems: [], kept: "" });
      return null;
    } finally {
      busy(false);
    }
  }

  function showErrors(error) {
    const box = $("errors");
    const parts = [el("h2", { text: error.title })];
    if (error.problems && error.problems.length) {
      const count = error.problems.length;
      parts.push(el("p", { text: w(count === 1 ? "problems_one" : "problems_many", { n: count }) }));
      const target = el("table", { className: "data problems", id: "problems-table" });
      table(target, [w("file"), w("row"), w("column"), w("message"), w("fix")],
        error.problems.map((p) => [p.file, p.row === null ? "" : p.row, p.column, p.message, p.fix]),
        { numeric: [1] });
      parts.push(el("div", { className: "scroll" }, [target]));
    }
    if (error.kept) parts.push(el("p", { className: "small", text: error.kept }));
    parts.push(el("button", { type: "button", className: "secondary", text: w("close"),
      onclick: () => { box.hidden = true; } }));
    box.replaceChildren(...parts);
    box.hidden = false;
    box.scrollIntoView({ block: "start", behavior: "smooth" });
  }

  function clearErrors() {
    $("errors").hidden = true;
  }

  async function load() {
    const answer = await call("GET", "/api/state");
    if (answer) show(answer);
  }

  function values() {
    const shares = {};
    for (const input of document.querySelectorAll("#shares input[type=text]")) {
      shares[input.dataset.area] = input.value;
    }
    const switches = {};
    for (const box of document.querySelectorAll("#switches input[type=checkbox]")) {
      switches[box.dataset.name] = box.checked;
    }
    const historical = {};
    for (const input of document.querySelectorAll("#historical input")) {
      historical[input.dataset.service] = input.value;
    }
    const residual = document.querySelector("#residual select");
    return {
      fund: $("fund").value,
      minimum_award: $("minimum").value,
      shares,
      switches,
      historical,
      residual_scope: residual ? residual.value : "",
    };
  }

  async function change(moved) {
    const mine = ++sequence;
    const payload = values();
    if (moved) payload.moved = moved;
    const answer = await call("POST", "/api/change", payload);
    if (answer && mine === sequence) {
      clearErrors();
      show(answer);
    }
    return answer !== null;
  }

  // Whether a field holds text the page has not applied (typed without Enter, or refused).
  function unapplied() {
    return shownValues !== null && JSON.stringify(values()) !== shownValues;
  }

  // ----------------------------------------------------------------------------------------
  // Drawing the state
  // ----------------------------------------------------------------------------------------

  function show(state) {
    current = state;
    const source = state.source;
    $("subtitle").textContent = w("subtitle", {
      ambito: source.ambito, year: source.year, rule_set: source.rule_set,
    });
    $("units-now").textContent = w("units_now", { name: source.units, n: source.count });
    $("rules-now").textContent = source.rules + " (" + source.rule_set + ")";
    const warnings = $("warnings");
    const notes = state.warnings.concat(state.result.messages);
    if (notes.length) {
      warnings.replaceChildren(el("h2", { text: w("warnings") }),
        el("ul", {}, notes.map((line) => el("li", { text: line }))));
      warnings.hidden = false;
    } else {
      warnings.hidden = true;
    }
    showControls(state.controls);
    showResult(state.result);
    showScenarios(state.scenarios);
    fillFilters(state);
    showUnits();
  }

  function showControls(controls) {
    $("fund").value = money(controls.fund);
    $("fund").classList.toggle("changed", controls.fund !== controls.base_fund);
    $("minimum").value = money(controls.minimum_award);
    $("minimum").classList.toggle("changed", controls.minimum_award !== controls.base_minimum_award);

    const shares = $("shares");
    shares.replaceChildren(...controls.shares.map((share) => {
      const slider = el("input", {
        type: "range", min: "0", max: "100", step: "0.5", value: share.value.replace(",", "."),
        "aria-label": share.label, "data-area": share.area,
      });
      const number = el("input", {
        type: "text", inputmode: "decimal", value: share.value.replace(".", LANG === "it" ? "," : "."),
        "data-area": share.area, className: share.changed ? "changed" : null,
        "aria-label": share.label + " (%)", id: "share-" + share.area,
      });
      slider.addEventListener("input", () => {
        number.value = slider.value.replace(".", LANG === "it" ? "," : ".");
      });
      slider.addEventListener("change", () => change(share.area));
      number.addEventListener("change", () => change(share.area));
      return el("div", { className: "share" }, [
        el("span", { className: "share-label", text: share.label }),
        slider, number, el("span", { className: "unit", text: "%" }),
        el("span", { className: "base", text: share.changed ? w("was", { value: share.base }) : "" }),
      ]);
    }));
    const bar = $("share-bar");
    bar.replaceChildren(...controls.shares.map((share, index) => el("span", {
      className: "part c" + (index % 7),
      style: "width:" + share.value.replace(",", ".") + "%",
      title: share.label + " " + share.text,
    }, [share.text])));
    $("share-moves").textContent = controls.moves.length
      ? w("moved", {
        area: controls.moves[0].label, after: controls.moves[0].after,
        others: controls.moves.slice(1).map((m) => m.label + " " + m.before + " → " + m.after).join(", "),
      })
      : "";

    $("historical").replaceChildren(el("table", { className: "data compact" }, [
      el("tbody", {}, controls.services.map((line) => el("tr", {}, [
        el("th", { scope: "row", text: line.label }),
        el("td", {}, [el("input", {
          inputmode: "decimal", value: money(line.historical), "data-service": line.service || line.code,
          "aria-label": line.label, className: line.changed ? "changed" : null,
          onchange: () => change(),
        })]),
      ]))),
    ]));
    $("historical-box").classList.toggle("has-changes", controls.services.some((l) => l.changed));

    $("switches").replaceChildren(...controls.switches.map((item) => el("label", {
      className: "switch" + (item.changed ? " changed" : ""),
    }, [
      el("input", {
        type: "checkbox", "data-name": item.name, checked: item.on, onchange: () => change(),
      }),
      " " + item.label,
    ])));
    $("switches-box").classList.toggle("has-changes", controls.switches.some((s) => s.changed));

    const residual = $("residual");
    if (controls.residual.available) {
      const select = el("select", { onchange: () => change(), "aria-label": w("residual") },
        [el("option", { value: "", text: w("residual_rules") })].concat(
          controls.residual.scopes.map((scope) => el("option", {
            value: scope.value, text: scope.label, selected: scope.value === controls.residual.value,
          }))));
      residual.replaceChildren(select);
    } else {
      residual.replaceChildren(el("p", { className: "hint", text: w("residual_missing") }));
    }
    $("command").textContent = controls.command ? "fsr-opt solve " + controls.command : w("no_changes");
    shownValues = JSON.stringify(values());
  }

  function showResult(result) {
    const kpis = [
      [w("fund"), money(result.fund) + " EUR", null],
      [w("distributable"), money(result.distributable) + " EUR", null],
      [w("awarded"), money(result.awarded) + " EUR", delta(result.awarded, result.base_awarded)],
      [w("unassigned"), money(result.unassigned) + " EUR", null],
      [w("funded_units"), result.funded + " / " + result.eligible + " / " + result.units, null],
      [w("solved_in"), String(result.seconds).replace(".", LANG === "it" ? "," : ".") + " s", null],
    ];
    $("kpis").replaceChildren(...kpis.map(([label, value, change], index) => el("div", {
      className: "kpi", id: "kpi-" + index,
    }, [el("span", { text: label }), el("b", { text: value }), change])));
    $("kpi-3").classList.toggle("warn", result.unassigned > 0);

    const key = result.scenario;
    $("downloads").replaceChildren(
      el("span", { text: w("download") + ": " }),
      el("a", { href: "/download/" + key + "/allocation.xlsx", id: "download-xlsx", text: "allocation.xlsx" }),
      el("a", { href: "/download/" + key + "/report.html", id: "download-report", text: "report.html" }),
      el("a", { href: "/download/" + key + "/riparto.zip", id: "download-run", text: w("run_folder") }),
    );

    // Assegnato is what the units receive: the riparto's awards plus the residual phase's, as
    // in the summary above; "against the baseline" compares it with the baseline's.
    const areas = result.areas;
    const areaRows = areas.map((a) => [a.label, a.share, money(a.budget), money(a.riparto),
      money(a.residual), money(a.awarded), money(a.unassigned), delta(a.awarded, a.awarded_base)]);
    const sum = (field) => areas.reduce((total, a) => total + a[field], 0);
    const baseSum = areas.every((a) => a.awarded_base !== null) ? sum("awarded_base") : null;
    areaRows.push([w("total"), "100%", money(sum("budget")), money(sum("riparto")),
      money(sum("residual")), money(sum("awarded")), money(sum("unassigned")),
      delta(sum("awarded"), baseSum)]);
    table($("areas-table"), [w("area"), w("share"), w("budget"), w("riparto"), w("residual"),
      w("awarded"), w("unassigned"), w("vs_base")], areaRows,
      { numeric: [1, 2, 3, 4, 5, 6, 7], totals: [areaRows.length - 1] });
    // The residual phase and whatever stays unassigned: never silent.
    $("residual-lines").replaceChildren(
      ...(result.residual_lines || []).map((line) => el("li", { text: line })));

    // The lines under their area's name (the rule set's words; the code in a tooltip).
    const lineRows = [];
    let lineArea = null;
    for (const l of result.lines) {
      if (l.area !== lineArea) {
        lineRows.push({ group: l.area_label, title: l.area });
        lineArea = l.area;
      }
      lineRows.push([el("span", { title: l.service, text: l.label }), money(l.historical),
        money(l.target), money(l.riparto), money(l.deviation), l.share, money(l.residual),
        money(l.awarded), delta(l.awarded, l.awarded_base), l.funded, l.not_funded]);
    }
    table($("lines-table"), [w("service"), w("historical"), w("target"), w("riparto"),
      w("deviation"), w("lambda"), w("residual"), w("awarded"), w("vs_base"), w("funded"),
      w("not_funded")], lineRows, { numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });

    showDifference($("difference"), result.difference, result.scenario === "base", result.scenario);
    $("charts").replaceChildren(...result.charts.map((chart) => {
      const figure = el("figure", { className: "chart" });
      figure.innerHTML = chart.svg; // SVG drawn by the server (fsr_opt.reports.html), escaped there
      figure.append(el("figcaption", { text: chart.title }));
      return figure;
    }));
  }

  // `scenario`: the key of the scenario whose units a click explains (the compared one, in a
  // comparison; the one shown, in the Riparto tab).
  function showDifference(target, difference, isBase, scenario) {
    if (isBase) {
      target.replaceChildren(el("p", { className: "hint", text: w("difference_none") }));
      return;
    }
    const counts = difference.counts;
    const items = [
      ["ENTERS", w("enters")], ["LEAVES", w("leaves")], ["GAINS", w("gains")],
      ["LOSES", w("loses")], ["UNCHANGED", w("unchanged")],
    ];
    const summary = el("ul", { className: "counts" }, items.map(([code, label]) => el("li", {
      className: "c-" + code.toLowerCase(),
    }, [el("b", { text: String(counts[code]) }), " " + label])).concat([
      el("li", {}, [el("b", { text: String(difference.binding_changes) }), " " + w("binding_changes")]),
    ]));
    const parts = [summary];
    if (difference.top.length) {
      const moved = el("table", { className: "data" });
      table(moved, [w("unit"), w("name"), w("before"), w("after"), w("change_amount"), w("binding")],
        difference.top.map((u) => [
          unitButton(u.id, scenario), u.name, money(u.before), money(u.after), delta(u.after, u.before),
          u.binding_before === u.binding_after ? limit(u.binding_after)
            : limit(u.binding_before) + " → " + limit(u.binding_after),
        ]), { numeric: [2, 3, 4] });
      parts.push(el("p", { className: "small", text: w("largest", { n: difference.top.length, total: difference.moved }) }));
      parts.push(el("div", { className: "scroll" }, [moved]));
    }
    target.replaceChildren(...parts);
  }

  function unitButton(id, scenario) {
    return el("button", {
      type: "button", className: "link unit-link", "data-unit": id, text: id,
      onclick: () => explain(id, scenario || (current ? current.result.scenario : "current")),
    });
  }

  async function explain(id, scenario) {
    const answer = await call("GET", "/api/unit?scenario=" + encodeURIComponent(scenario) + "&id="
      + encodeURIComponent(id));
    if (!answer) return;
    $("explain-title").textContent = answer.id + " · " + answer.name + " (" + answer.scenario + ")";
    $("explain-text").textContent = answer.text;
    $("explain").showModal();
  }

  // ----------------------------------------------------------------------------------------
  // Units: search, filters, sort, pages
  // ----------------------------------------------------------------------------------------

  const COLUMNS = [
    ["id", "unit"], ["name", "name"], ["operator", "operator"], ["municipality", "municipality"],
    ["service_label", "service"], ["entitlement", "entitlement"], ["award", "award"],
    ["base_award", "base_award"], ["delta", "change_amount"], ["binding", "binding"],
  ];
  const NUMERIC = new Set(["entitlement", "award", "base_award", "delta"]);

  function unitRecords() {
    if (!current) return [];
    const names = current.result.columns;
    return current.result.rows.map((row) => {
      const record = {};
      names.forEach((name, index) => { record[name] = row[index]; });
      record.delta = record.award - record.base_award;
      record.service_label = current.services[record.service] || record.service;
      return record;
    });
  }

  function options(select, values, allLabel, labels) {
    const chosen = select.value;
    select.replaceChildren(el("option", { value: "", text: allLabel }),
      ...values.map((value) => el("option", { value, text: labels ? labels[value] || value : value })));
    if (values.includes(chosen)) select.value = chosen;
  }

  function fillFilters(state) {
    const records = unitRecords();
    const distinct = (field) => [...new Set(records.map((r) => r[field]).filter((v) => v))]
      .sort((a, b) => a.localeCompare(b, LANG));
    // Comuni as allocation.xlsx groups them: "BERGAMO" and "Bergamo" are one (the server
    // gives each unit's group as `place`, under its most frequent spelling).
    options($("filter-municipality"), distinct("place"), w("all"));
    options($("filter-operator"), distinct("operator"), w("all"));
    options($("filter-service"), Object.keys(state.services), w("all"), state.services);
    options($("filter-funded"), ["yes", "no", "excluded"], w("all"),
      { yes: w("funded_yes"), no: w("funded_no"), excluded: w("excluded") });
    options($("filter-change"), ["ENTERS", "LEAVES", "GAINS", "LOSES", "UNCHANGED", "BINDING"], w("all"),
      { ENTERS: w("enters"), LEAVES: w("leaves"), GAINS: w("gains"), LOSES: w("loses"),
        UNCHANGED: w("unchanged"), BINDING: w("binding_changes") });
  }

  function filtered() {
    const words = $("search").value.trim().toLocaleLowerCase(LANG).split(/\s+/).filter((t) => t);
    const municipality = $("filter-municipality").value;
    const operator = $("filter-operator").value;
    const service = $("filter-service").value;
    const funded = $("filter-funded").value;
    const movement = $("filter-change").value;
    let records = unitRecords().filter((r) => {
      if (municipality && r.place !== municipality) return false;
      if (operator && r.operator !== operator) return false;
      if (service && r.service !== service) return false;
      if (funded === "yes" && !(r.award > 0)) return false;
      if (funded === "no" && r.award > 0) return false;
      if (funded === "excluded" && r.eligible) return false;
      if (movement === "BINDING" && r.binding === r.binding_base) return false;
      if (movement && movement !== "BINDING" && r.change !== movement) return false;
      if (words.length) {
        const haystack = [r.id, r.name, r.operator, r.municipality, r.service, r.service_label]
          .join(" ").toLocaleLowerCase(LANG);
        if (!words.every((word) => haystack.includes(word))) return false;
      }
      return true;
    });
    if (sortKey) {
      const direction = sortDown ? -1 : 1;
      records = records.slice().sort((a, b) => {
        const x = a[sortKey];
        const y = b[sortKey];
        const order = NUMERIC.has(sortKey) ? x - y : String(x).localeCompare(String(y), LANG);
        return order * direction || a.id.localeCompare(b.id);
      });
    }
    return records;
  }

  function showUnits() {
    if (!current) return;
    const records = filtered();
    const pages = Math.max(1, Math.ceil(records.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const shown = records.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const head = el("thead", {}, [el("tr", {}, COLUMNS.map(([key, word]) => el("th", {
      scope: "col", className: NUMERIC.has(key) ? "n" : null,
      "aria-sort": sortKey === key ? (sortDown ? "descending" : "ascending") : null,
    }, [el("button", {
      type: "button", className: "sort", "data-sort": key,
      text: w(word) + (sortKey === key ? (sortDown ? " ▼" : " ▲") : ""),
      onclick: () => {
        sortDown = sortKey === key ? !sortDown : NUMERIC.has(key);
        sortKey = key;
        showUnits();
      },
    })])))]);
    const bindings = current.bindings;
    const rows = shown.map((r) => el("tr", {
      className: (r.award > 0 ? "funded" : r.eligible ? "unfunded" : "excluded") + " c-" + r.change.toLowerCase(),
      "data-unit": r.id,
    }, [
      el("td", {}, [unitButton(r.id)]), el("td", { text: r.name }), el("td", { text: r.operator }),
      el("td", { text: r.municipality }),
      el("td", { text: r.service_label, title: r.service }),
      el("td", { className: "n", text: money(r.entitlement) }),
      el("td", { className: "n", text: money(r.award) }),
      el("td", { className: "n", text: money(r.base_award) }),
      el("td", { className: "n" }, [delta(r.award, r.base_award)]),
      el("td", {
        title: r.reasons.length ? r.reasons.map((c) => current.reasons[c] || c).join("; ") : bindings[r.binding],
        text: r.binding_base && r.binding_base !== r.binding ? limit(r.binding_base) + " → " + limit(r.binding) : limit(r.binding),
      }),
    ]));
    $("units-table").replaceChildren(head, el("tbody", {}, rows));
    $("units-count").textContent = w("units_count", { shown: records.length, total: current.result.rows.length });
    $("page-now").textContent = w("page_of", { page: page + 1, pages });
    $("page-prev").disabled = page === 0;
    $("page-next").disabled = page >= pages - 1;
  }

  // ----------------------------------------------------------------------------------------
  // Scenarios
  // ----------------------------------------------------------------------------------------

  function showScenarios(scenarios) {
    $("scenario-cards").replaceChildren(...scenarios.map((s) => el("article", {
      className: "scenario", "data-key": s.key,
    }, [
      el("h3", { text: s.name }),
      el("dl", {}, [
        el("dt", { text: w("fund") }), el("dd", { text: money(s.fund) }),
        el("dt", { text: w("minimum") }), el("dd", { text: money(s.minimum_award) }),
        el("dt", { text: w("shares") }), el("dd", { text: s.shares.map((a) => a.label + " " + a.text).join(", ") }),
        el("dt", { text: w("awarded") }), el("dd", { text: money(s.awarded) }),
        el("dt", { text: w("unassigned") }), el("dd", { text: money(s.unassigned) }),
        el("dt", { text: w("funded_units_short") }), el("dd", { text: String(s.funded) }),
        el("dt", { text: w("data") }), el("dd", { text: s.units_file + ", " + s.rules_file }),
      ]),
      el("p", { className: "small" }, [el("code", { text: s.command ? "fsr-opt solve " + s.command : w("no_changes") })]),
      el("p", { className: "links" }, [
        el("a", { href: "/download/" + s.key + "/allocation.xlsx", text: "allocation.xlsx" }),
        el("a", { href: "/download/" + s.key + "/report.html", text: "report.html" }),
        el("a", { href: "/download/" + s.key + "/riparto.zip", text: w("run_folder") }),
        s.key.startsWith("s") ? el("button", {
          type: "button", className: "link danger", text: w("delete"),
          onclick: async () => {
            const answer = await call("POST", "/api/scenarios/" + encodeURIComponent(s.key) + "/delete", {});
            if (answer) show(answer);
          },
        }) : null,
      ]),
    ])));
    // Defaults: the baseline against the most recently saved scenario, else the current one
    // (when it differs from the baseline). A scenario just saved becomes the second choice.
    const saved = scenarios.filter((s) => s.key.startsWith("s")).map((s) => s.key);
    if (knownSaved !== null && saved.some((key) => !knownSaved.includes(key))) {
      compareChoice["compare-second"] = null;
    }
    knownSaved = saved;
    const hasCurrent = scenarios.some((s) => s.key === "current");
    const defaults = {
      "compare-first": "base",
      "compare-second": saved.length ? saved[saved.length - 1] : hasCurrent ? "current" : "base",
    };
    for (const id of ["compare-first", "compare-second"]) {
      const select = $(id);
      const chosen = compareChoice[id];
      select.replaceChildren(...scenarios.map((s) => el("option", { value: s.key, text: s.name })));
      select.value = chosen && scenarios.some((s) => s.key === chosen) ? chosen : defaults[id];
    }
  }

  async function compare(event) {
    event.preventDefault();
    const first = $("compare-first").value;
    const second = $("compare-second").value;
    const query = "first=" + encodeURIComponent(first) + "&second=" + encodeURIComponent(second);
    const answer = await call("GET", "/api/compare?" + query);
    if (!answer) return;
    clearErrors();
    const target = $("comparison");
    const rows = answer.lines.map((l) => [
      l.area === "TOTAL" ? w("total") : el("span", { title: l.area, text: l.area_label }),
      l.service === "TOTAL" ? (l.area === "TOTAL" ? "" : w("total"))
        : el("span", { title: l.service, text: l.label }),
      l.budget_before === null ? "" : money(l.budget_before),
      l.budget_after === null ? "" : money(l.budget_after),
      money(l.awarded_before), money(l.awarded_after), delta(l.awarded_after, l.awarded_before),
      l.funded_before, l.funded_after,
    ]);
    const totals = answer.lines.map((l, index) => (l.service === "TOTAL" ? index : -1)).filter((i) => i >= 0);
    const lines = el("table", { className: "data", id: "comparison-table" });
    table(lines, [w("area"), w("service"), w("budget") + " 1", w("budget") + " 2", w("awarded") + " 1",
      w("awarded") + " 2", w("change_amount"), w("funded") + " 1", w("funded") + " 2"], rows,
    { numeric: [2, 3, 4, 5, 6, 7, 8], totals });
    const difference = el("div");
    showDifference(difference, answer.difference, false, second);
    target.replaceChildren(
      el("h3", { text: w("compared", { first: answer.first.name, second: answer.second.name }) }),
      el("p", {}, [el("a", { href: "/download/compare.zip?" + query, id: "download-compare", text: w("download_compare") })]),
      el("div", { className: "scroll" }, [lines]),
      el("p", { className: "hint", text: w("compared_hint") }),
      difference,
    );
  }

  // ----------------------------------------------------------------------------------------
  // Uploads, language, tabs
  // ----------------------------------------------------------------------------------------

  async function upload(kind, input) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    if (file.size > MAX_UPLOAD_MB * 1024 * 1024) {
      showErrors({ title: w("too_large", { name: file.name, mb: MAX_UPLOAD_MB }), problems: [], kept: w("kept") });
      return;
    }
    const answer = await call("POST", "/api/upload/" + kind + "?name=" + encodeURIComponent(file.name),
      undefined, file);
    if (answer) {
      clearErrors();
      sortKey = null;
      page = 0;
      show(answer);
    }
  }

  function selectTab(id) {
    for (const button of document.querySelectorAll("[role=tab]")) {
      const on = button.getAttribute("aria-controls") === id;
      button.setAttribute("aria-selected", on ? "true" : "false");
      $(button.getAttribute("aria-controls")).hidden = !on;
    }
  }

  function wire() {
    $("fund").addEventListener("change", () => change());
    $("minimum").addEventListener("change", () => change());
    $("params").addEventListener("submit", (event) => { event.preventDefault(); change(); });
    $("reset").addEventListener("click", async () => {
      const answer = await call("POST", "/api/reset", {});
      if (answer) { clearErrors(); show(answer); }
    });
    $("units-file").addEventListener("change", (event) => upload("units", event.target));
    $("rules-file").addEventListener("change", (event) => upload("rules", event.target));
    $("use-example").addEventListener("click", async () => {
      const answer = await call("POST", "/api/example", {});
      if (answer) { clearErrors(); show(answer); }
    });
    $("save-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      // A field the page has not applied (a refused value, or one typed without Enter) is
      // applied first: the scenario saved is what the fields say, or nothing is saved and the
      // error stays on the page.
      if (unapplied() && !(await change())) return;
      const answer = await call("POST", "/api/scenarios", { name: $("scenario-name").value });
      if (answer) {
        clearErrors();
        $("scenario-name").value = "";
        show(answer);
        selectTab("tab-scenarios");
      }
    });
    $("compare-form").addEventListener("submit", compare);
    for (const id of ["compare-first", "compare-second"]) {
      $(id).addEventListener("change", () => { compareChoice[id] = $(id).value; });
    }
    for (const id of ["search"]) $(id).addEventListener("input", () => { page = 0; showUnits(); });
    for (const id of ["filter-municipality", "filter-operator", "filter-service", "filter-funded", "filter-change"]) {
      $(id).addEventListener("change", () => { page = 0; showUnits(); });
    }
    $("filters").addEventListener("submit", (event) => event.preventDefault());
    $("page-prev").addEventListener("click", () => { page -= 1; showUnits(); });
    $("page-next").addEventListener("click", () => { page += 1; showUnits(); });
    $("explain-close").addEventListener("click", () => $("explain").close());
    for (const button of document.querySelectorAll("[role=tab]")) {
      button.addEventListener("click", () => selectTab(button.getAttribute("aria-controls")));
    }
    for (const button of document.querySelectorAll(".lang button[data-lang]")) {
      button.addEventListener("click", async () => {
        const answer = await call("POST", "/api/language", { lang: button.dataset.lang });
        if (answer) window.location.reload();
      });
    }
  }

  wire();
  load();
}());
