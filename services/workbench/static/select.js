// 全选本页: ticks or clears every case checkbox of the list shown. The list is swapped by htmx when the
// filters change, so the listener sits on the document; it sets rather than toggles, so a second copy of
// this script (htmx runs it again after a swap) changes nothing. Without JavaScript rows are ticked by hand.
document.addEventListener("change", (event) => {
  if (event.target.id !== "select-page") return;
  for (const box of document.querySelectorAll("input[type=checkbox][name=case]")) box.checked = event.target.checked;
});
