// An upload's own progress: htmx reports it on the form it sends as htmx:xhr:progress; the form names
// its <progress> in data-progress. A file, not inline script: the pages' CSP is default-src 'self'.
document.addEventListener("htmx:xhr:progress", function (event) {
  var form = event.target.closest && event.target.closest("form[data-progress]");
  var bar = form && document.getElementById(form.dataset.progress);
  if (!bar || !event.detail.lengthComputable || !event.detail.total) return;
  bar.value = Math.round((100 * event.detail.loaded) / event.detail.total);
  bar.textContent = bar.value + "%";
});

// htmx swaps only 2xx answers (the import pages answer their fragments 200, failures included), so a
// service that is down (503) or a lost connection would otherwise leave the page silent.
function saySendFailed(event) {
  var target = event.detail.target;
  if (!target || !target.closest("[aria-label='导入结果']")) return;
  var p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = "服务暂时无法访问，请稍后重试 / a service is not answering; retry shortly";
  target.replaceChildren(p);
}
document.addEventListener("htmx:responseError", saySendFailed);
document.addEventListener("htmx:sendError", saySendFailed);
