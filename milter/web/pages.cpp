// Page bodies. Message-derived text only ever passes through visible()/highlighted().
#include "web/pages.hpp"

#include <fmt/format.h>

#include "web/html.hpp"

namespace aup::web {
namespace {

using Json = nlohmann::ordered_json;

std::string text_of(const Json& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}

std::string option(const std::string& value, const std::string& label, const std::string& chosen) {
  return fmt::format(R"(<option value="{}"{}>{}</option>)", escape(value),
                     value == chosen ? " selected" : "", escape(label));
}

std::string text_input(const char* name, const char* label, const std::string& value,
                       const char* type = "text") {
  return fmt::format(R"(<label>{} <input type="{}" name="{}" value="{}"></label>)", label, type,
                     name, escape(value));
}

std::string filter_form(const QueueQuery& query) {
  std::string statuses;
  for (const char* status : {"held", "released", "deleted", "expired", "any"}) {
    statuses += option(status, status, query.status);
  }
  return fmt::format(
      R"(<form class="filters" method="get" action="/" role="search">)"
      R"(<label>Status <select name="status">{}</select></label> {} {} {} {} {} {} )"
      R"(<button type="submit">Filter</button> <a href="/">Clear</a></form>)",
      statuses, text_input("clause", "Clause", query.clause),
      text_input("rule", "Rule", query.rule), text_input("sender", "Sender", query.sender),
      text_input("from", "From", query.from, "date"), text_input("to", "To", query.to, "date"),
      text_input("q", "Search", query.search, "search"));
}

std::string query_string(const QueueQuery& query, size_t page) {
  return fmt::format("?status={}&clause={}&rule={}&sender={}&from={}&to={}&q={}&page={}",
                     url_encode(query.status), url_encode(query.clause), url_encode(query.rule),
                     url_encode(query.sender), url_encode(query.from), url_encode(query.to),
                     url_encode(query.search), page);
}

std::string pager(const std::string& base, size_t page, size_t total,
                  const std::function<std::string(size_t)>& link) {
  const size_t pages = std::max<size_t>(1, (total + kPageSize - 1) / kPageSize);
  std::string out =
      fmt::format(R"(<nav class="pager" aria-label="Pages">Page {} of {} )", page, pages);
  if (page > 1) out += fmt::format(R"(<a href="{}{}" rel="prev">Newer</a> )", base, link(page - 1));
  if (page < pages)
    out += fmt::format(R"(<a href="{}{}" rel="next">Older</a>)", base, link(page + 1));
  return out + "</nav>";
}

std::string notice_paragraph(const std::string& notice) {
  if (notice.empty()) return "";
  return fmt::format("<p class=\"notice\" role=\"status\">{}</p>", escape(notice));
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& value : values)
    out += (out.empty() ? "" : ", ") + visible(value);
  return out;
}

std::string queue_row(const quarantine::Item& item) {
  return fmt::format(
      "<tr><td><a href=\"/item/{0}\">{1}</a></td><td>{2}</td><td>{3}</td>"
      "<td><a href=\"/item/{0}\">{4}</a></td><td>{5}</td><td>{6}</td><td>{7}</td>"
      "<td class=\"number\">{8}</td></tr>\n",
      escape(item.id), escape(item.time), item.sender.empty() ? "&lt;&gt;" : visible(item.sender),
      joined(item.recipients), item.subject.empty() ? "(no subject)" : visible(item.subject),
      joined(item.clauses), joined(item.rules), escape(quarantine::to_string(item.status)),
      item.size);
}

}  // namespace

std::string queue_body(const QueueQuery& query, const std::vector<quarantine::Item>& page_items,
                       size_t total) {
  std::string out = filter_form(query) + notice_paragraph(query.notice);
  out += fmt::format(R"(<p class="count">{} message(s) match.</p>)", total);
  if (page_items.empty()) return out;
  out +=
      "<table><caption>Held messages, newest first</caption><thead><tr><th scope=\"col\">Held "
      "at (UTC)</th><th scope=\"col\">Sender</th><th scope=\"col\">Recipients</th><th "
      "scope=\"col\">Subject</th><th scope=\"col\">Clauses</th><th scope=\"col\">Rules</th><th "
      "scope=\"col\">Status</th><th scope=\"col\">Bytes</th></tr></thead><tbody>\n";
  for (const auto& item : page_items)
    out += queue_row(item);
  out += "</tbody></table>";
  return out +
         pager("/", query.page, total, [&](size_t page) { return query_string(query, page); });
}

std::vector<std::string> quoted_excerpts(const std::string& detail) {
  std::vector<std::string> out;
  for (size_t open = detail.find('"'); open != std::string::npos;) {
    const size_t close = detail.find('"', open + 1);
    if (close == std::string::npos) break;
    out.push_back(detail.substr(open + 1, close - open - 1));
    open = detail.find('"', close + 1);
  }
  return out;
}

namespace {

std::string envelope_section(const Json& item) {
  std::string recipients;
  for (const auto& recipient : item["recipients"])
    recipients += visible(text_of(recipient)) + "<br>";
  std::string decision;
  if (!text_of(item["reviewer"]).empty()) {
    decision = fmt::format(
        "<dt>Decision</dt><dd>{} by {} at {}{}</dd>", escape(text_of(item["status"])),
        visible(text_of(item["reviewer"])), escape(text_of(item["decision_time"])),
        text_of(item["note"]).empty() ? ""
                                      : fmt::format(" (note: {})", visible(text_of(item["note"]))));
  }
  return fmt::format(
      "<section aria-labelledby=\"envelope\"><h2 id=\"envelope\">Envelope</h2><dl>"
      "<dt>Status</dt><dd>{}</dd><dt>Held at (UTC)</dt><dd>{}</dd><dt>Sender</dt><dd>{}</dd>"
      "<dt>Recipients</dt><dd>{}</dd><dt>Subject</dt><dd>{}</dd><dt>Size</dt><dd>{} bytes</dd>"
      "<dt>MTA queue id</dt><dd>{}</dd>{}</dl></section>\n",
      escape(text_of(item["status"])), escape(text_of(item["time"])),
      text_of(item["sender"]).empty() ? "&lt;&gt; (null sender)" : visible(text_of(item["sender"])),
      recipients, visible(text_of(item["subject"])), item["size"].get<size_t>(),
      visible(text_of(item["queue_id"])), decision);
}

std::string why_section(const Json& why) {
  std::string rows;
  for (const auto& match : why) {
    rows += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td></tr>\n",
        visible(text_of(match["clause"])), visible(text_of(match["rule"])),
        visible(text_of(match["action"])),
        text_of(match["mode"]) == "monitor" ? " (monitor only)" : "",
        visible(text_of(match["where"])),
        highlighted(text_of(match["matched"]), quoted_excerpts(text_of(match["matched"]))));
  }
  return fmt::format(
      "<section aria-labelledby=\"why\"><h2 id=\"why\">Why it was held</h2><table><thead><tr>"
      "<th scope=\"col\">Clause</th><th scope=\"col\">Rule</th><th scope=\"col\">Action</th>"
      "<th scope=\"col\">Where</th><th scope=\"col\">What matched</th></tr></thead><tbody>{}"
      "</tbody></table></section>\n",
      rows);
}

std::string content_sections(const Json& content, const std::vector<std::string>& excerpts) {
  std::string headers;
  for (const auto& field : content["headers"]) {
    headers += fmt::format("<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                           visible(text_of(field["name"])), visible(text_of(field["value"])));
  }
  std::string parts;
  for (const auto& part : content["text_parts"]) {
    parts += fmt::format("<h3>Part {} ({})</h3><pre class=\"message-text\">{}</pre>\n",
                         visible(text_of(part["part"])), visible(text_of(part["content_type"])),
                         highlighted(text_of(part["text"]), excerpts));
  }
  std::string files;
  for (const auto& file : content["attachments"]) {
    files += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"number\">{}</td><td>{}</td></tr>",
        text_of(file["name"]).empty() ? "(no name)" : visible(text_of(file["name"])),
        visible(text_of(file["true_type"])), visible(text_of(file["declared_type"])),
        file["size"].get<size_t>(), visible(text_of(file["inside"])));
  }
  return fmt::format(
      "<section aria-labelledby=\"text\"><h2 id=\"text\">Text</h2>{}</section>\n"
      "<section aria-labelledby=\"files\"><h2 id=\"files\">Attachments</h2>{}</section>\n"
      "<section aria-labelledby=\"headers\"><h2 id=\"headers\">Headers</h2><table><tbody>{}"
      "</tbody></table></section>\n",
      parts.empty() ? "<p>No text parts.</p>" : parts,
      files.empty()
          ? "<p>None.</p>"
          : "<table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">True type</th>"
            "<th scope=\"col\">Declared type</th><th scope=\"col\">Bytes</th>"
            "<th scope=\"col\">Inside</th></tr></thead><tbody>" +
                files + "</tbody></table>",
      headers);
}

std::string audit_rows(const std::vector<quarantine::AuditEntry>& entries, bool with_item) {
  std::string rows;
  for (const auto& entry : entries) {
    rows += fmt::format(
        "<tr><td>{}</td>{}<td>{}</td><td>{}</td><td>{}</td></tr>\n", escape(entry.time),
        with_item ? fmt::format("<td><a href=\"/item/{0}\">{0}</a></td>", escape(entry.item_id))
                  : "",
        visible(entry.actor), visible(entry.action), visible(entry.detail));
  }
  return rows;
}

std::string audit_table(const std::vector<quarantine::AuditEntry>& entries, bool with_item) {
  return fmt::format(
      "<table><thead><tr><th scope=\"col\">Time (UTC)</th>{}<th scope=\"col\">Who</th>"
      "<th scope=\"col\">Action</th><th scope=\"col\">Detail</th></tr></thead><tbody>{}"
      "</tbody></table>",
      with_item ? "<th scope=\"col\">Message</th>" : "", audit_rows(entries, with_item));
}

std::string decision_links(const std::string& id) {
  return fmt::format(
      "<section aria-labelledby=\"decide\"><h2 id=\"decide\">Decide</h2><ul class=\"actions\">"
      "<li><a class=\"button\" href=\"/item/{0}/release\">Release to its recipients</a></li>"
      "<li><a class=\"button danger\" href=\"/item/{0}/delete\">Delete</a></li>"
      "<li><a class=\"button\" href=\"/item/{0}/keep\">Keep held, with a note</a></li></ul>"
      "</section>\n",
      escape(id));
}

}  // namespace

std::string item_body(const ItemPageData& data) {
  const Json& item = data.view["item"];
  std::vector<std::string> excerpts;
  for (const auto& match : data.view["why"]) {
    for (auto& excerpt : quoted_excerpts(text_of(match["matched"])))
      excerpts.push_back(excerpt);
  }
  std::string out;
  if (!data.notice.empty())
    out += fmt::format("<p class=\"notice\" role=\"status\">{}</p>", visible(data.notice));
  out += envelope_section(item) + why_section(data.view["why"]);
  if (data.may_decide) out += decision_links(text_of(item["id"]));
  if (data.view["content"].is_null()) {
    out += "<p>The stored message is no longer kept (decided and purged).</p>";
  } else {
    out += content_sections(data.view["content"], excerpts);
    out += fmt::format("<p><a href=\"/item/{}/raw\">Raw source (as plain text)</a></p>",
                       escape(text_of(item["id"])));
  }
  return out + "<section aria-labelledby=\"trail\"><h2 id=\"trail\">Audit trail</h2>" +
         audit_table(data.audit, false) + "</section>";
}

std::string confirm_body(const quarantine::Item& item, const std::string& action,
                         const std::string& csrf) {
  const char* question = action == "release"  ? "Release this message to its recipients?"
                         : action == "delete" ? "Delete this message? It cannot be recovered."
                                              : "Keep this message held, and record a note?";
  const char* button = action == "release"  ? "Release"
                       : action == "delete" ? "Delete"
                                            : "Keep held";
  return fmt::format(
      "<p>{}</p><dl><dt>Sender</dt><dd>{}</dd><dt>Subject</dt><dd>{}</dd><dt>Clauses</dt><dd>{}</"
      "dd></dl>"
      "<form method=\"post\" action=\"/item/{}/{}\">{}<label for=\"note\">Note{}</label>"
      "<textarea id=\"note\" name=\"note\" rows=\"3\" maxlength=\"1000\"{}></textarea>"
      "<p><button type=\"submit\"{}>{}</button> <a href=\"/item/{}\">Cancel</a></p></form>",
      question, item.sender.empty() ? "&lt;&gt;" : visible(item.sender), visible(item.subject),
      joined(item.clauses), escape(item.id), escape(action), csrf_field(csrf),
      action == "keep" ? " (required)" : " (optional)", action == "keep" ? " required" : "",
      action == "delete" ? " class=\"danger\"" : "", button, escape(item.id));
}

std::string audit_body(const std::vector<quarantine::AuditEntry>& entries, size_t page,
                       size_t total, const std::string& notice) {
  return notice_paragraph(notice) + audit_table(entries, true) +
         pager("/audit", page, total, [](size_t n) { return fmt::format("?page={}", n); });
}

std::string summary_body(const Summary& summary) {
  const auto table = [](const char* caption, const char* key,
                        const std::map<std::string, size_t>& counts, bool newest_first) {
    std::string rows;
    const auto row = [&](const auto& entry) {
      rows += fmt::format("<tr><td>{}</td><td class=\"number\">{}</td></tr>", visible(entry.first),
                          entry.second);
    };
    if (newest_first) {
      for (auto it = counts.rbegin(); it != counts.rend(); ++it)
        row(*it);
    } else {
      for (const auto& entry : counts)
        row(entry);
    }
    return fmt::format(
        "<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">"
        "Messages</th></tr></thead><tbody>{}</tbody></table>",
        caption, key, rows);
  };
  return table("By status", "Status", summary.by_status, false) +
         table("Messages by clause (any status)", "Clause", summary.by_clause, false) +
         table("Messages held per day (UTC)", "Day", summary.by_day, true);
}

std::string login_body(const std::string& error, const std::string& csrf) {
  return fmt::format(
      "{}<form class=\"login\" method=\"post\" action=\"/login\">{}"
      "<label for=\"name\">Account</label><input id=\"name\" name=\"name\" "
      "autocomplete=\"username\" "
      "required autofocus><label for=\"password\">Password</label><input id=\"password\" "
      "name=\"password\" type=\"password\" autocomplete=\"current-password\" required>"
      "<button type=\"submit\">Sign in</button></form>",
      error.empty() ? "" : fmt::format("<p class=\"error\" role=\"alert\">{}</p>", escape(error)),
      csrf_field(csrf));
}

}  // namespace aup::web
