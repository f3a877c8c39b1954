// An upload's own progress: htmx reports it on the form it sends as htmx:xhr:progress; the form names
// its <progress> in data-progress. A file, not inline script: the pages' CSP is default-src 'self'.
document.addEventListener("htmx:xhr:progress", function (event) {
  var form = event.target.closest && event.target.closest("form[data-progress]");
  var bar = form && document.getElementById(form.dataset.progress);
  if (!bar || !event.detail.lengthComputable || !event.detail.total) return;
  bar.value = Math.round((100 * event.detail.loaded) / event.detail.total);
  bar.textContent = bar.value + "%";
});
